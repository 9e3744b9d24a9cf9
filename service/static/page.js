/* The editors' page: paste or upload a draft, see what the service finds, record tag feedback.
   Plain JavaScript, no build step, no third-party code; every request goes to this origin. */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const body = document.body;
  const MAX_FILE_BYTES = Number(body.dataset.maxFileBytes);
  const MAX_TEXT_CHARS = Number(body.dataset.maxTextChars);
  const STORE = {lang: "newsroom.uiLang", token: "newsroom.token", editor: "newsroom.editor",
                 draft: "newsroom.draft"};
  const UI_LANGS = ["en", "ru", "kk"];
  // The topic model's taxonomy (id, label, ru/kk/en display names), rendered into the page.
  const TOPICS = (() => { try { return JSON.parse(body.dataset.topics || "[]"); } catch (e) { return []; } })();

  let strings = {};         // the i18n table, keyed by interface language
  let mapData = null;       // outlines of Central Asia
  let uiLang = "en";
  // What is on screen: the analysed text and result, and the stored document if any.
  const state = {text: "", title: "", docId: null, result: null, record: null, events: null,
                 stored: false};

  // -- storage that never throws (private modes can refuse localStorage) --------------------
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try {
      if (value === null || value === "") window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* nothing to do: the value lives for this visit only */ }
  }

  // -- interface strings ----------------------------------------------------------------------
  function t(key, params) {
    const table = strings[uiLang] || {};
    let text = table[key] !== undefined ? table[key] : ((strings.en || {})[key] || key);
    for (const [name, value] of Object.entries(params || {})) {
      text = text.split("{" + name + "}").join(typeof value === "number" ? formatNumber(value) : String(value));
    }
    return text;
  }

  function applyStrings() {
    document.documentElement.lang = uiLang;
    document.title = t("title");
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
      el.placeholder = t(el.dataset.i18nPlaceholder);
    }
    for (const button of document.querySelectorAll("[data-ui-lang]")) {
      button.setAttribute("aria-pressed", String(button.dataset.uiLang === uiLang));
    }
    $("file-help").textContent = t("upload_help", {size: megabytes(MAX_FILE_BYTES),
                                                   chars: formatNumber(MAX_TEXT_CHARS)});
    resay();
    if (state.result) render();
  }

  function setUiLang(lang) {
    uiLang = UI_LANGS.includes(lang) ? lang : "en";
    save(STORE.lang, uiLang);
    applyStrings();
  }

  function initialUiLang() {
    const saved = load(STORE.lang);
    if (UI_LANGS.includes(saved)) return saved;
    const browser = (navigator.language || "en").slice(0, 2).toLowerCase();
    return UI_LANGS.includes(browser) ? browser : "en";
  }

  // -- small formatting helpers ---------------------------------------------------------------
  function locale() { return uiLang === "kk" ? "kk-KZ" : uiLang === "ru" ? "ru-RU" : "en-GB"; }
  function formatNumber(value, digits) {
    try {
      return new Intl.NumberFormat(locale(), {maximumFractionDigits: digits === undefined ? 2 : digits})
        .format(value);
    } catch (e) { return String(value); }
  }
  function formatScore(value) {
    try {
      return new Intl.NumberFormat(locale(), {minimumFractionDigits: 2, maximumFractionDigits: 2}).format(value);
    } catch (e) { return Number(value).toFixed(2); }
  }
  function megabytes(bytes) { return formatNumber(bytes / (1024 * 1024), 1) + " MB"; }
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  /** A topic's display name in the interface language, from the model's own taxonomy. */
  function topicName(idOrLabel) {
    const known = TOPICS.find((x) => x.id === idOrLabel || x.label === idOrLabel);
    if (known) return (known.display || {})[uiLang] || known.label;
    return String(idOrLabel).replace(/^topic:/, "");
  }
  /** The tag id an editor means by what they typed: an id, a label or a display name. */
  function topicId(typed) {
    const wanted = typed.trim().toLocaleLowerCase();
    for (const x of TOPICS) {
      const names = [x.id, x.label, ...Object.values(x.display || {})];
      if (names.some((n) => String(n).toLocaleLowerCase() === wanted)) return x.id;
    }
    return typed.trim();
  }
  function randomKey() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // -- talking to the API ---------------------------------------------------------------------
  /** An error the page can show as a sentence: `code` and `message` from the API's error shape. */
  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  async function api(method, path, options) {
    const opts = options || {};
    const headers = Object.assign({Accept: "application/json"}, opts.headers || {});
    let payload = opts.body;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(opts.json);
    }
    const token = load(STORE.token);
    if (token) headers.Authorization = "Bearer " + token;
    let response;
    try {
      response = await fetch(path, {method: method, headers: headers, body: payload,
                                    credentials: "same-origin", cache: "no-store"});
    } catch (e) {
      throw new ApiError(0, "network", "");
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const err = data && data.error;
      if (err && typeof err.message === "string") throw new ApiError(response.status, err.code, err.message);
      throw new ApiError(response.status, "unexpected", "");
    }
    if (data === null) throw new ApiError(response.status, "unexpected", "");
    return data;
  }

  /** One plain sentence for any failure, in the interface language. */
  function sentence(error, context) {
    if (!(error instanceof ApiError)) return t("err_generic", {message: String(error && error.message || error)});
    const message = (error.message || "").replace(/[.\s]+$/, "");
    switch (error.code) {
      case "network": return t("err_network");
      case "unexpected": return t("err_unexpected", {status: error.status});
      case "file_too_large": return t("err_file_too_large", Object.assign({}, context || {}, {
        limit: megabytes(MAX_FILE_BYTES)}));
      case "payload_too_large":
        if (context && context.name) return t("err_file_too_large", Object.assign({}, context, {limit: megabytes(MAX_FILE_BYTES)}));
        return t("err_text_too_long", {message: message});
      case "unsupported_file_type": return t("err_file_type", context || {name: ""});
      case "text_too_long": return t("err_text_too_long", {message: message});
      case "unreadable_file": return t("err_unreadable", {message: message});
      case "empty_file": return t("err_empty_file", {message: message});
      case "text_required": return t("err_empty_text");
      case "rate_limited": return t("err_rate_limited");
      case "model_unavailable": case "not_ready": return t("err_models");
      case "document_not_found": return t("err_not_found");
      default:
        if (error.status === 401) return t("err_unauthorized");
        if (error.status === 403) return t("err_forbidden");
        if (error.status === 429) return t("err_rate_limited");
        if (error.status === 503) return t("err_models");
        return t("err_generic", {message: message || ("HTTP " + error.status)});
    }
  }

  // Messages are kept as functions so that switching the interface language re-words them.
  const messages = {};
  function say(id, make) {
    messages[id] = make || null;
    const node = $(id);
    const text = make ? make() : "";
    node.textContent = text;
    if (id === "error") node.hidden = !text;
  }
  function showError(text) { say("error", text ? (typeof text === "function" ? text : () => text) : null); }
  function setStatus(id, key, params) { say(id, key ? () => t(key, params) : null); }
  function resay() { for (const id of Object.keys(messages)) say(id, messages[id]); }

  // -- uploading a file -----------------------------------------------------------------------
  async function readFile(file) {
    showError("");
    const context = {name: file.name, size: megabytes(file.size)};
    if (!/\.(txt|docx)$/i.test(file.name)) { showError(() => t("err_file_type", context)); return; }
    if (file.size > MAX_FILE_BYTES) { showError(() => t("err_file_too_large", Object.assign(context, {limit: megabytes(MAX_FILE_BYTES)}))); return; }
    setStatus("status", "reading_file", {name: file.name});
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const data = await api("POST", "/v1/extract-text", {body: form});
      $("draft").value = data.text;
      setStatus("status", "file_loaded", {name: file.name, chars: data.characters});
      await analyse();
    } catch (error) {
      setStatus("status", null);
      showError(() => sentence(error, context));
    } finally {
      $("file").value = "";
    }
  }

  // -- analysing ------------------------------------------------------------------------------
  /** A stable id for a draft, from its text (the same text is the same document). */
  function draftId(result) {
    const digest = String(result.id || "").replace(/^sha256:/, "");
    return "draft-" + digest;
  }

  async function analyse(options) {
    const opts = options || {};
    const text = $("draft").value;
    const title = $("title").value.trim();
    showError("");
    if (!text.trim()) { showError(() => t("err_empty_text")); $("draft").focus(); return; }
    if (text.length > MAX_TEXT_CHARS) {
      showError(() => t("err_text_too_long", {message: formatNumber(text.length) + " / " + formatNumber(MAX_TEXT_CHARS)}));
      return;
    }
    $("analyse").disabled = true;
    setStatus("status", "working");
    try {
      const request = {text: text};
      if (title) request.title = title;
      const result = await api("POST", "/v1/analyze", {json: request});
      Object.assign(state, {text: text, title: title, result: result, docId: opts.docId || draftId(result),
                            record: null, events: null, stored: false});
      save(STORE.draft, JSON.stringify({text: text, title: title, docId: state.docId}));
      setStatus("status", "done", {chars: text.length});
      await refreshStored(true);
      render();
      if (opts.focusResults !== false) $("results-heading").focus();
    } catch (error) {
      setStatus("status", null);
      showError(() => sentence(error));
    } finally {
      $("analyse").disabled = false;
    }
  }

  /** The stored record and its feedback log, if this draft is in the store. */
  async function refreshStored(quietly) {
    if (!state.docId) return;
    try {
      const record = await api("GET", "/v1/documents/" + encodeURIComponent(state.docId));
      state.record = record.document || record;
      state.stored = true;
      state.events = await feedbackEvents();
      setDocHash(state.docId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        state.record = null; state.events = null; state.stored = false;
        if (window.location.hash) history.replaceState(null, "", window.location.pathname);
        return;
      }
      if (!quietly) throw error;
    }
  }

  async function feedbackEvents() {
    if (Array.isArray(state.record && state.record.feedback)) return state.record.feedback;
    try {
      const data = await api("GET", "/v1/documents/" + encodeURIComponent(state.docId) + "/feedback");
      return data.events || data.feedback || data.items || null;
    } catch (error) {
      return null;  // an older store without the log endpoint: the record's statuses still show
    }
  }

  function setDocHash(docId) {
    const wanted = "#doc=" + encodeURIComponent(docId);
    if (window.location.hash !== wanted) history.replaceState(null, "", wanted);
  }

  // -- recording feedback ---------------------------------------------------------------------
  async function sendFeedback(decision, tagId) {
    const status = "feedback-status";
    setStatus(status, null);
    showError("");
    const token = load(STORE.token);
    const editor = (load(STORE.editor) || "").trim();
    if (!token || !editor) {
      showError(() => t(token ? "need_name" : "need_token"));
      $("settings").open = true;
      $(token ? "editor-name" : "editor-token").focus();
      return;
    }
    setStatus(status, "saving_feedback");
    try {
      if (!state.stored) {
        const doc = {text: state.text};
        if (state.title) doc.title = state.title;
        await api("PUT", "/v1/documents/" + encodeURIComponent(state.docId), {json: doc});
        state.stored = true;
      }
      const payload = {editor: editor, accepted: [], rejected: [], added: []};
      payload[decision].push(tagId);
      await api("POST", "/v1/documents/" + encodeURIComponent(state.docId) + "/feedback",
                {json: payload, headers: {"Idempotency-Key": randomKey()}});
      await refreshStored(false);
      render();
      say(status, () => t("feedback_saved", {tag: topicName(tagId), decision: t("status_" + decision)}));
    } catch (error) {
      setStatus(status, null);
      showError(() => sentence(error));
    }
  }

  /** Each tag's decision in the store: accepted, rejected or added (none if not decided). */
  function decisions() {
    const out = {};
    const record = state.record;
    if (!record) return out;
    for (const tag of record.tags || []) {
      if (tag.status === "accepted" || tag.status === "added") out[tag.id] = tag.status;
    }
    for (const id of record.rejected_tags || []) out[id] = "rejected";
    return out;
  }

  // -- spans: the API counts code points, the browser counts UTF-16 units --------------------
  function codePointOffsets(text) {
    const map = [0];
    let unit = 0;
    for (const ch of text) { unit += ch.length; map.push(unit); }
    return map;
  }

  const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
  /** Lower case that never changes the length (so indices found in it are indices in `text`). */
  function lowerSameLength(text) {
    let out = "";
    for (let i = 0; i < text.length; i++) {
      const lower = text[i].toLowerCase();
      out += lower.length === 1 ? lower : text[i];
    }
    return out;
  }

  function evidenceSpans(text, evidence) {
    const spans = [];
    const lower = lowerSameLength(text);
    for (const item of evidence || []) {
      if (Array.isArray(item) && item.length === 2 && item.every(Number.isInteger)) { spans.push({span: item}); continue; }
      if (item && typeof item === "object") {
        if (Array.isArray(item.span)) { spans.push({span: item.span}); continue; }
        if (Array.isArray(item.spans)) { for (const s of item.spans) spans.push({span: s}); continue; }
        if (Number.isInteger(item.start) && Number.isInteger(item.end)) { spans.push({span: [item.start, item.end]}); continue; }
      }
      const word = typeof item === "string" ? item : item && (item.term || item.text || item.word || item.feature);
      if (!word || typeof word !== "string" || word.trim().length < 2) continue;
      const needle = lowerSameLength(word);
      let from = 0;
      let at;
      while ((at = lower.indexOf(needle, from)) !== -1 && spans.length < 500) {
        const end = at + needle.length;
        // Whole words only: "ал" is evidence, the "ал" inside "алдын" is not.
        if (!WORD_CHAR.test(text.charAt(at - 1)) && !WORD_CHAR.test(text.charAt(end))) {
          spans.push({units: [at, end]});
        }
        from = end;
      }
    }
    return spans;
  }

  function evidenceWords(evidence) {
    const words = [];
    for (const item of evidence || []) {
      if (typeof item === "string") words.push(item);
      else if (item && typeof item === "object") {
        const word = item.term || item.text || item.word || item.feature;
        if (word) words.push(String(word));
      }
    }
    return Array.from(new Set(words));
  }

  /** Marks (in UTF-16 units) for every place, count and topic-evidence span of the result. */
  function collectMarks(text, result) {
    const offsets = codePointOffsets(text);
    const toUnits = (span) => [offsets[Math.min(span[0], offsets.length - 1)],
                               offsets[Math.min(span[1], offsets.length - 1)]];
    const marks = [];
    (result.places || []).forEach((place, i) => {
      for (const span of place.spans || []) {
        marks.push({kind: "place", index: i, range: toUnits(span),
                    label: place.name + " · " + placeFacts(place)});
      }
    });
    (result.counts || []).forEach((count, i) => {
      if (Array.isArray(count.span)) {
        marks.push({kind: "count", index: i, range: toUnits(count.span),
                    label: countValue(count) + " · " + (count.what || t("unknown_noun"))});
      }
    });
    (result.topics || []).forEach((topic, i) => {
      for (const found of evidenceSpans(text, topic.evidence)) {
        marks.push({kind: "evidence", index: i, range: found.units || toUnits(found.span),
                    label: topicName(topic.label)});
      }
    });
    return marks.filter((m) => m.range[1] > m.range[0] && m.range[1] <= text.length);
  }

  /** The text as segments, each wrapped in one element per mark covering it. */
  function renderMarkedText(container, text, marks) {
    clear(container);
    const cuts = new Set([0, text.length]);
    for (const m of marks) { cuts.add(m.range[0]); cuts.add(m.range[1]); }
    const points = Array.from(cuts).sort((a, b) => a - b);
    const firstOf = {};
    for (let i = 0; i < points.length - 1; i++) {
      const start = points[i];
      const end = points[i + 1];
      let node = document.createTextNode(text.slice(start, end));
      const covering = marks.filter((m) => m.range[0] <= start && m.range[1] >= end);
      // Evidence innermost, then counts, places outermost: places read best as the frame.
      const order = {evidence: 0, count: 1, place: 2};
      covering.sort((a, b) => order[a.kind] - order[b.kind]);
      for (const m of covering) {
        const key = m.kind + "-" + m.index;
        const wrapper = el("mark", {class: "m-" + m.kind, "data-key": key, title: m.label});
        if (!firstOf[key]) { wrapper.id = "mark-" + key; firstOf[key] = true; }
        wrapper.append(node);
        node = wrapper;
      }
      container.append(node);
    }
  }

  function focusMarks(key) {
    for (const node of document.querySelectorAll(".active")) node.classList.remove("active");
    const marks = document.querySelectorAll('[data-key="' + key + '"]');
    for (const node of marks) node.classList.add("active");
    if (marks.length) marks[0].scrollIntoView({block: "center", behavior: "smooth"});
  }

  // -- rendering the result -------------------------------------------------------------------
  function languageLine(language) {
    if (!language) return "";
    const code = language.code;
    const name = ["ru", "kk", "en"].includes(code) ? t("lang_" + code) : t("lang_other", {code: code});
    let line = name + " (" + code + "), " + t("confidence", {score: formatScore(language.score)});
    const others = Array.from(new Set((language.parts || []).map((p) => p.code).filter((c) => c !== code)));
    if (others.length) line += ". " + t("lang_parts", {parts: others.join(", ")});
    return line;
  }

  function placeFacts(place) {
    const facts = [t("type_" + (place.type || "other"))];
    if (place.country) facts.push(t("country", {country: countryName(place.country)}));
    facts.push(coordinates(place));
    return facts.join(", ");
  }

  function countryName(code) {
    const drawn = mapData && mapData.countries[code];
    if (drawn) return (drawn.name[uiLang] || drawn.name.en) + " (" + code + ")";
    try {
      const name = new Intl.DisplayNames([locale()], {type: "region"}).of(code);
      return name && name !== code ? name + " (" + code + ")" : code;
    } catch (e) { return code; }
  }

  function coordinates(place) {
    if (typeof place.lat !== "number" || typeof place.lon !== "number") return t("no_coordinates");
    const lat = Math.abs(place.lat).toFixed(2) + "°" + (place.lat >= 0 ? "N" : "S");
    const lon = Math.abs(place.lon).toFixed(2) + "°" + (place.lon >= 0 ? "E" : "W");
    return lat + " " + lon;
  }

  function countValue(count) {
    const value = formatNumber(count.value);
    const symbol = {approx: "≈ ", more_than: "> ", less_than: "< ", up_to: "≤ "}[count.qualifier] || "";
    return symbol + value;
  }

  function render() {
    const result = state.result;
    if (!result) return;
    $("results").hidden = false;
    $("language").textContent = languageLine(result.language);
    $("doc-id").textContent = state.docId;
    $("doc-stored").textContent = "(" + t(state.stored ? "stored" : "not_stored") + ")";
    // Near misses (just under their threshold, flagged "needs review") are listed after the
    // tags, so an editor can accept one; search tools read only `topics`.
    const topics = (result.topics || []).concat(result.topic_suggestions || []);
    renderSummary(result.summary || []);
    renderMarkedText($("marked"), state.text, collectMarks(state.text, {...result, topics}));
    applyToggles();
    renderTopics(topics);
    renderFeedbackLog();
    renderPlaces(result.places || []);
    renderCounts(result.counts || []);
  }

  function renderSummary(sentences) {
    const list = $("summary");
    clear(list);
    if (!sentences.length) list.append(el("li", {class: "help", text: t("no_summary")}));
    for (const s of sentences) list.append(el("li", {text: s}));
  }

  function renderTopics(topics) {
    const list = $("topics");
    clear(list);
    const decided = decisions();
    const token = load(STORE.token);
    $("token-hint").textContent = token ? "" : t("need_token");
    const shown = new Set();
    topics.forEach((topic, i) => {
      const id = topic.id || topic.label;
      shown.add(id);
      list.append(topicItem(topic, id, i, decided[id] || null));
    });
    for (const [id, status] of Object.entries(decided)) {
      if (!shown.has(id) && status !== "rejected") {
        list.append(topicItem({label: id, score: null, evidence: []}, id, -1, status));
      }
    }
    if (!list.children.length) list.append(el("li", {class: "help", text: t("no_topics")}));
    const options = $("tag-list");
    clear(options);
    const known = TOPICS.map((x) => x.id);
    for (const topic of topics) if (!known.includes(topic.id || topic.label)) known.push(topic.id || topic.label);
    for (const id of known) options.append(el("option", {value: topicName(id)}));
  }

  function topicItem(topic, id, index, decision) {
    const name = topicName(topic.label);
    const head = el("div", {class: "topic-head"},
      el("span", {class: "topic-name", text: name}),
      topic.label !== name ? el("code", {class: "topic-id", text: topic.label}) : null);
    const facts = el("div", {class: "topic-facts"});
    if (typeof topic.score === "number") {
      const meter = el("meter", {min: "0", max: "1", value: String(topic.score), "aria-hidden": "true"});
      facts.append(meter, " ", t("score", {score: formatScore(topic.score)}));
      if (typeof topic.threshold === "number") facts.append(" · ", t("threshold", {threshold: formatScore(topic.threshold)}));
    }
    if (topic.needs_review) facts.append(" ", el("span", {class: "badge review", text: t("needs_review")}));
    const status = decision || (index >= 0 ? "proposed" : "added");
    facts.append(" ", el("span", {class: "badge status-" + status, "data-status": status, text: t("status_" + status)}));
    const words = evidenceWords(topic.evidence);
    const evidence = words.length ? el("p", {class: "evidence"}, el("span", {class: "evidence-label", text: t("evidence") + ": "}),
      ...words.map((w) => el("button", {type: "button", class: "m-evidence chip", text: w,
                                        onclick: () => focusMarks("evidence-" + index)}))) : null;
    const sentence = topic.sentence ? el("p", {class: "key-sentence"},
      el("span", {class: "evidence-label", text: t("key_sentence") + ": "}), "“" + topic.sentence.trim() + "”") : null;
    const actions = el("div", {class: "row actions"},
      el("button", {type: "button", class: "accept", "data-tag": id, "aria-label": t("accept_tag", {tag: name}),
                    "aria-pressed": String(decision === "accepted" || decision === "added"),
                    onclick: () => sendFeedback("accepted", id)}, "✓ ", t("accept")),
      el("button", {type: "button", class: "reject", "data-tag": id, "aria-label": t("reject_tag", {tag: name}),
                    "aria-pressed": String(decision === "rejected"),
                    onclick: () => sendFeedback("rejected", id)}, "✗ ", t("reject")));
    return el("li", {class: "topic", "data-tag": id, "data-status": status}, head, facts, evidence, sentence, actions);
  }

  function renderFeedbackLog() {
    const list = $("feedback-log");
    clear(list);
    const events = state.events;
    if (Array.isArray(events) && events.length) {
      for (const ev of events) {
        const parts = [];
        for (const kind of ["accepted", "rejected", "added"]) {
          for (const id of ev[kind] || []) parts.push(topicName(id) + " — " + t("status_" + kind));
        }
        if (ev.note) parts.push("“" + ev.note + "”");
        const when = ev.created_at ? new Date(ev.created_at).toLocaleString(locale()) : "";
        list.append(el("li", {text: t("feedback_event", {when: when, editor: ev.editor || "?", what: parts.join("; ")})}));
      }
    } else if (state.record && state.record.feedback_count) {
      list.append(el("li", {text: t("feedback_count", {n: state.record.feedback_count})}));
    } else {
      list.append(el("li", {class: "help", text: t("feedback_none")}));
    }
  }

  function renderPlaces(places) {
    const list = $("places");
    clear(list);
    if (!places.length) list.append(el("li", {class: "help", text: t("no_places")}));
    places.forEach((place, i) => {
      const key = "place-" + i;
      const forms = Array.from(new Set(place.surface || []));
      list.append(el("li", {class: "place", "data-key": key},
        el("button", {type: "button", class: "link", "aria-label": t("show_in_text", {name: place.name}),
                      onclick: () => focusMarks(key)}, el("strong", {text: place.name})),
        el("span", {class: "facts", text: " — " + placeFacts(place)}),
        el("div", {class: "help", text: t("mentions", {n: place.mentions || (place.spans || []).length}) +
                   (forms.length ? "; " + t("written_as", {forms: forms.join(", ")}) : "")})));
    });
    renderMap(places);
  }

  function renderCounts(counts) {
    const tbody = $("counts");
    clear(tbody);
    $("no-counts").hidden = counts.length > 0;
    $("counts-table").hidden = counts.length === 0;
    counts.forEach((count, i) => {
      const key = "count-" + i;
      const qualifier = count.qualifier ? el("span", {class: "help", text: " (" + t("q_" + count.qualifier) + ")"}) : null;
      tbody.append(el("tr", {"data-key": key},
        el("td", {class: "num"}, countValue(count), qualifier),
        el("td", {text: count.what || t("unknown_noun")}),
        el("td", {}, el("button", {type: "button", class: "link", onclick: () => focusMarks(key)}, count.text))));
    });
  }

  function applyToggles() {
    for (const box of document.querySelectorAll("[data-toggle]")) {
      $("marked").classList.toggle("hide-" + box.dataset.toggle, !box.checked);
    }
  }

  // -- the map: hand-drawn outlines, equirectangular projection, no tiles ---------------------
  const SVG = "http://www.w3.org/2000/svg";  // the SVG namespace name, not a download
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The part of the region to draw: around the places found (at least 20° by 10°), else all of it. */
  function mapView(region, located) {
    if (!located.length) return region;
    const lons = located.map((p) => p.lon);
    const lats = located.map((p) => p.lat);
    let [west, east] = [Math.min(...lons) - 2, Math.max(...lons) + 2];
    let [south, north] = [Math.min(...lats) - 1.5, Math.max(...lats) + 1.5];
    const widen = (lo, hi, least, min, max) => {
      const extra = Math.max(0, least - (hi - lo)) / 2;
      lo = Math.max(min, lo - extra); hi = Math.min(max, hi + extra);
      return [lo, hi];
    };
    [west, east] = widen(west, east, 20, region[0], region[2]);
    [south, north] = widen(south, north, 10, region[1], region[3]);
    // No taller than wide (a tall map pushes the list of places off a laptop screen).
    const kx = Math.cos(((south + north) / 2) * Math.PI / 180);
    [west, east] = widen(west, east, (north - south) / (0.75 * kx), region[0], region[2]);
    return [west, south, east, north];
  }

  function renderMap(places) {
    const holder = $("map");
    clear(holder);
    if (!mapData) return;
    const region = mapData.bbox;
    const inside = (p) => typeof p.lat === "number" && typeof p.lon === "number" &&
      p.lon >= region[0] && p.lon <= region[2] && p.lat >= region[1] && p.lat <= region[3];
    const numbered = places.map((p, i) => ({place: p, number: i + 1}));
    const located = numbered.filter((x) => inside(x.place));
    const outside = numbered.filter((x) => !inside(x.place) && typeof x.place.lat === "number");
    $("map-outside").textContent = outside.length ? t("map_outside", {
      places: outside.map((x) => x.number + ". " + x.place.name).join(", ")}) : "";
    const [west, south, east, north] = mapView(region, located.map((x) => x.place));
    const kx = Math.cos(((south + north) / 2) * Math.PI / 180);
    const width = 800;
    const scale = width / ((east - west) * kx);
    const height = Math.round((north - south) * scale);
    const project = (lon, lat) => [((lon - west) * kx * scale).toFixed(1), ((north - lat) * scale).toFixed(1)];
    const root = svg("svg", {viewBox: "0 0 " + width + " " + height, role: "img", class: "map-svg"});
    root.append(svg("title", {}, t("map_label")));
    root.append(svg("rect", {x: 0, y: 0, width: width, height: height, class: "map-bg"}));
    const step = east - west > 20 ? 5 : 2;
    for (let lon = Math.ceil(west / step) * step; lon <= east; lon += step) {
      const [x] = project(lon, north);
      root.append(svg("line", {x1: x, y1: 0, x2: x, y2: height, class: "grid"}));
      root.append(svg("text", {x: Number(x) + 3, y: height - 4, class: "grid-label"}, lon + "°E"));
    }
    for (let lat = Math.ceil(south / step) * step; lat <= north; lat += step) {
      const [, y] = project(west, lat);
      root.append(svg("line", {x1: 0, y1: y, x2: width, y2: y, class: "grid"}));
      root.append(svg("text", {x: 3, y: Number(y) - 3, class: "grid-label"}, lat + "°N"));
    }
    const path = (outline) => "M" + outline.map((p) => project(p[0], p[1]).join(",")).join("L") + "Z";
    for (const sea of mapData.seas || []) root.append(svg("path", {d: path(sea.outline), class: "sea"}));
    for (const [code, country] of Object.entries(mapData.countries)) {
      root.append(svg("path", {d: path(country.outline), class: "country", "data-country": code}));
    }
    for (const [code, country] of Object.entries(mapData.countries)) {
      const [x, y] = project(country.label[0], country.label[1]);
      if (x < 60 || x > width - 60 || y < 20 || y > height - 20) continue;  // off (or at) the edge
      root.append(svg("text", {x: x, y: y, class: "country-label", "text-anchor": "middle"},
                      country.name[uiLang] || country.name.en || code));
    }
    for (const city of mapData.cities || []) {
      const [x, y] = project(city.lon, city.lat);
      root.append(svg("rect", {x: Number(x) - 3, y: Number(y) - 3, width: 6, height: 6, class: "capital"}));
      root.append(svg("text", {x: Number(x) + 6, y: Number(y) - 5, class: "city-label"}, city.name[uiLang] || city.name.en));
    }
    for (const x of located) {
      const [cx, cy] = project(x.place.lon, x.place.lat);
      const group = svg("g", {class: "dot", "data-key": "place-" + (x.number - 1)});
      group.append(svg("title", {}, x.number + ". " + x.place.name + " — " + coordinates(x.place)));
      group.append(svg("circle", {cx: cx, cy: cy, r: 11}));
      group.append(svg("text", {x: cx, y: Number(cy) + 4.5, "text-anchor": "middle"}, String(x.number)));
      root.append(group);
    }
    holder.append(root);
  }

  // -- start-up -------------------------------------------------------------------------------
  async function fetchJson(url) {
    const response = await fetch(url, {cache: "no-cache"});
    if (!response.ok) throw new Error(url + ": HTTP " + response.status);
    return response.json();
  }

  function wire() {
    for (const button of document.querySelectorAll("[data-ui-lang]")) {
      button.addEventListener("click", () => setUiLang(button.dataset.uiLang));
    }
    $("draft-form").addEventListener("submit", (event) => { event.preventDefault(); analyse(); });
    $("clear").addEventListener("click", () => {
      $("draft").value = ""; $("title").value = ""; showError(""); setStatus("status", null);
      Object.assign(state, {text: "", title: "", docId: null, result: null, record: null, events: null, stored: false});
      $("results").hidden = true;
      save(STORE.draft, null);
      history.replaceState(null, "", window.location.pathname);
      $("draft").focus();
    });
    $("file").addEventListener("change", () => { const f = $("file").files[0]; if (f) readFile(f); });
    $("settings-form").addEventListener("submit", (event) => {
      event.preventDefault();
      save(STORE.editor, $("editor-name").value.trim());
      save(STORE.token, $("editor-token").value.trim());
      setStatus("settings-status", "settings_saved");
      if (state.result) render();
    });
    $("forget-token").addEventListener("click", () => {
      save(STORE.token, null);
      $("editor-token").value = "";
      setStatus("settings-status", "token_forgotten");
      if (state.result) render();
    });
    $("add-tag-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = $("add-tag").value.trim();
      if (!value) { $("add-tag").focus(); return; }
      if (!state.result) { showError(() => t("err_empty_text")); return; }
      sendFeedback("added", topicId(value)).then(() => { $("add-tag").value = ""; });
    });
    for (const box of document.querySelectorAll("[data-toggle]")) box.addEventListener("change", applyToggles);
    $("results-heading").setAttribute("tabindex", "-1");
  }

  /** After a reload: the stored document named in the address, else the last draft. */
  async function restore() {
    const match = /^#doc=(.+)$/.exec(window.location.hash);
    if (match) {
      const docId = decodeURIComponent(match[1]);
      setStatus("status", "loading_document");
      try {
        const record = await api("GET", "/v1/documents/" + encodeURIComponent(docId));
        const doc = record.document || record;
        $("draft").value = doc.text || "";
        $("title").value = doc.title || "";
        await analyse({docId: docId, focusResults: false});
        return;
      } catch (error) {
        setStatus("status", null);
        if (!(error instanceof ApiError && error.status === 404)) { showError(() => sentence(error)); return; }
      }
    }
    const draft = load(STORE.draft);
    if (draft) {
      try {
        const saved = JSON.parse(draft);
        $("draft").value = saved.text || "";
        $("title").value = saved.title || "";
        if (saved.text) await analyse({docId: saved.docId, focusResults: false});
      } catch (e) { save(STORE.draft, null); }
    }
  }

  async function start() {
    $("editor-name").value = load(STORE.editor) || "";
    $("editor-token").value = load(STORE.token) || "";
    try {
      strings = await fetchJson(body.dataset.i18nUrl);
    } catch (e) {
      strings = {};
    }
    try { mapData = await fetchJson(body.dataset.mapUrl); } catch (e) { mapData = null; }
    uiLang = initialUiLang();
    wire();
    applyStrings();
    await restore();
    body.dataset.ready = "true";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
