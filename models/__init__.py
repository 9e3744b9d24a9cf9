"""What the newsroom service knows: one module per model and the shared text handling they use.

Nothing here imports `service` or `training`; both of those import from here.
"""
