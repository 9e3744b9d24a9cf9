"""What several test modules share: sample drafts in ru/kk/en and the OpenAPI response check."""
from __future__ import annotations

import json

import jsonschema
from referencing import Registry, Resource

from service.openapi import openapi_document

EN = ("IWPR trained 71 imam-khatibs in Khujand and Tursunzoda. The events in Bishkek were "
      "attended by 314 people, among them religious leaders and officials.")
RU = ("В Бишкеке прошла встреча религиозных лидеров и представителей власти. В ней приняли "
      "участие более 40 имамов из Чуйской области.")
KK = ("Алматыда дінаралық диалог туралы кездесу өтті. Оған Жамбыл облысынан 35 имам қатысты.")


def validate_response(path: str, method: str, response) -> None:
    """Validate a response body against the schema the OpenAPI document gives for it."""
    doc = openapi_document()
    op = doc["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in op["responses"], f"{method} {path} answered {status}, not in the contract"
    content = op["responses"][status].get("content", {}).get("application/json")
    assert content is not None
    registry = Registry().with_resource("urn:openapi", Resource.opaque(doc))
    schema = json.loads(json.dumps(content["schema"]).replace('"#/', '"urn:openapi#/'))
    jsonschema.Draft202012Validator(schema, registry=registry).validate(response.get_json())


def schema_validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for one named schema of the OpenAPI document (for records outside responses)."""
    registry = Registry().with_resource("urn:openapi", Resource.opaque(openapi_document()))
    return jsonschema.Draft202012Validator({"$ref": f"urn:openapi#/components/schemas/{name}"},
                                           registry=registry)
