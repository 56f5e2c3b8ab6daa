/* claimlint serve: the page's only script. Everything the user or a checked document
   supplies is put into the page as text nodes (never as HTML), and the page's
   Content-Security-Policy forbids inline script and HTML-string sinks. */
(function () {
  "use strict";

  var SEVERITY = {
    error: { label: "Must fix", sym: "◆" },
    warning: { label: "Review", sym: "▲" },
    info: { label: "Note", sym: "●" }
  };
  var KIND_NAMES = { text: "plain text", markdown: "Markdown", html: "HTML", docx: "Word document" };
  var EXAMPLE = [
    "Regenerative Stem Cell Knee Clinic",
    "",
    "Say goodbye to knee pain forever! Our revolutionary stem cell injections regrow cartilage " +
      "and heal arthritis, with no side effects and no downtime.",
    "",
    "Results are guaranteed: 94% of our patients are pain-free within weeks. Our FDA-approved " +
      "treatment is a safe alternative to knee replacement surgery.",
    "",
    "Book now and save 30% — this offer ends Friday."
  ].join("\n");

  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var $ = function (id) { return document.getElementById(id); };
  var state = {
    result: null, selected: -1, selectedKey: null, timer: null, controller: null,
    file: null, fileText: null, rules: null, config: null
  };

  /* ---------- small helpers ---------- */
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function append(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      parent.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return parent;
  }
  function badge(severity) {
    var s = SEVERITY[severity] || { label: severity, sym: "•" };
    var b = el("span", "badge sev-" + severity);
    append(b, el("span", "sym", s.sym), " " + s.label);
    b.querySelector(".sym").setAttribute("aria-hidden", "true");
    return b;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function showError(message) {
    var box = $("error");
    box.textContent = message || "";
    box.hidden = !message;
  }
  function setStatus(text) { $("status").textContent = text; }

  function api(path, options) {
    options = options || {};
    options.headers = options.headers || {};
    options.headers["X-CSRF-Token"] = csrf;
    options.credentials = "same-origin";
    return fetch(path, options);
  }
  function errorOf(response) {
    return response.json().then(function (body) { return body.error || response.statusText; },
      function () { return "The server answered " + response.status + " " + response.statusText + "."; });
  }

  /* ---------- checking ---------- */
  function request(format) {
    var text = $("source").value;
    if (state.file && text === state.fileText) {
      var form = new FormData();
      form.append("file", state.file, state.file.name);
      if (format) form.append("format", format);
      return { body: form, headers: {} };
    }
    var payload = { text: text, kind: $("kind").value };
    if (format) payload.format = format;
    return { body: JSON.stringify(payload), headers: { "Content-Type": "application/json" } };
  }

  function check() {
    clearTimeout(state.timer);
    var text = $("source").value;
    if (!text.trim() && !state.file) {
      showError("");
      setStatus("Paste or type some copy first.");
      return;
    }
    if (state.controller) state.controller.abort();
    var controller = new AbortController();
    state.controller = controller;
    var req = request(null);
    var started = performance.now();
    setStatus("Checking…");
    document.body.classList.add("busy");
    api("/api/check", { method: "POST", body: req.body, headers: req.headers, signal: controller.signal })
      .then(function (response) {
        if (!response.ok) return errorOf(response).then(function (m) { throw new Error(m); });
        return response.json();
      })
      .then(function (result) {
        if (controller !== state.controller) return;
        showError("");
        render(result, Math.round(performance.now() - started));
      })
      .catch(function (err) {
        if (err.name === "AbortError") return;
        showError(err.message);
        setStatus("");
      })
      .then(function () {
        if (controller === state.controller) {
          document.body.classList.remove("busy");
          state.controller = null;
        }
      });
  }

  function openFile(file) {
    if (!file) return;
    state.file = file;
    state.fileText = null;
    if (state.controller) state.controller.abort();
    var form = new FormData();
    form.append("file", file, file.name);
    setStatus("Reading " + file.name + "…");
    api("/api/check", { method: "POST", body: form })
      .then(function (response) {
        if (!response.ok) return errorOf(response).then(function (m) { throw new Error(m); });
        return response.json();
      })
      .then(function (result) {
        var doc = result.document;
        $("source").value = doc.editable;
        state.fileText = $("source").value;
        $("kind").value = doc.kind === "docx" ? "text" : doc.kind;
        showError("");
        render(result, null);
      })
      .catch(function (err) {
        state.file = null;
        showError(err.message);
        setStatus("");
      });
  }

  function download(format) {
    var req = request(format);
    api("/api/check", { method: "POST", body: req.body, headers: req.headers })
      .then(function (response) {
        if (!response.ok) return errorOf(response).then(function (m) { throw new Error(m); });
        var disposition = response.headers.get("Content-Disposition") || "";
        var match = /filename="([^"]+)"/.exec(disposition);
        return response.blob().then(function (blob) {
          var url = URL.createObjectURL(blob);
          var a = el("a");
          a.href = url;
          a.download = match ? match[1] : "claimlint." + format;
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
        });
      })
      .catch(function (err) { showError(err.message); });
  }

  /* ---------- rendering a result ---------- */
  function findingKey(f) { return f.rule + "\u0000" + f.sentence + "\u0000" + f.text; }

  function render(result, ms) {
    var docPane = $("doc"), list = $("findings");
    var keep = { doc: docPane.scrollTop, list: list.scrollTop };
    state.result = result;
    var findings = result.findings;
    renderDocument(result.document, findings);
    renderFindings(findings);
    renderSummary(result);
    fillCategories(findings);
    applyFilters();
    docPane.scrollTop = keep.doc;
    list.scrollTop = keep.list;
    var again = -1;
    if (state.selectedKey !== null) {
      for (var i = 0; i < findings.length; i++) {
        if (findingKey(findings[i]) === state.selectedKey) { again = i; break; }
      }
    }
    state.selected = -1;
    if (again >= 0) select(again, { scroll: false, focus: false });
    var doc = result.document;
    var parts = [plural(doc.words, "word"), plural(findings.length, "finding")];
    if (doc.guessed) parts.push("read as " + KIND_NAMES[doc.kind]);
    else if (doc.kind === "docx" || doc.name !== "-") parts.push(doc.name + " (" + KIND_NAMES[doc.kind] + ")");
    if (ms !== null && ms !== undefined) parts.push(ms + " ms");
    setStatus("Checked: " + parts.join(" · "));
    if (doc.encoding_note) showError("Note: " + doc.encoding_note);
    document.querySelectorAll(".downloads button").forEach(function (b) { b.disabled = false; });
  }

  /* Highlights: one <mark> per finding at its exact characters. Nested claims nest; a claim
     that crosses another is split into pieces that share data-f. */
  function pieces(ranges, start, end) {
    var out = [];
    ranges.forEach(function (r, i) {
      if (!r) return;
      var s = Math.max(r[0], start), e = Math.min(r[1], end);
      if (e > s) out.push({ s: s, e: e, i: i });
    });
    out.sort(function (a, b) { return a.s - b.s || b.e - a.e || a.i - b.i; });
    return out;
  }

  function nest(queue, start, end) {
    var root = { s: start, e: end, children: [] };
    var stack = [root];
    while (queue.length) {
      var p = queue.shift();
      while (stack.length > 1 && stack[stack.length - 1].e <= p.s) stack.pop();
      var top = stack[stack.length - 1];
      if (p.e > top.e) {
        var rest = { s: top.e, e: p.e, i: p.i };
        var at = 0;
        while (at < queue.length && (queue[at].s < rest.s || (queue[at].s === rest.s && queue[at].e >= rest.e))) at++;
        queue.splice(at, 0, rest);
        p = { s: p.s, e: top.e, i: p.i };
      }
      var node = { s: p.s, e: p.e, i: p.i, children: [] };
      top.children.push(node);
      stack.push(node);
    }
    return root;
  }

  function fill(parent, node, text, findings, last) {
    var pos = node.s;
    node.children.forEach(function (child) {
      if (child.s > pos) parent.appendChild(document.createTextNode(text.slice(pos, child.s)));
      var f = findings[child.i];
      var mark = el("mark", "claim sev-" + f.severity);
      mark.setAttribute("data-f", String(child.i));
      mark.setAttribute("tabindex", "-1");
      mark.title = f.message;
      fill(mark, child, text, findings, last);
      if (last[child.i] === child) mark.setAttribute("data-n", String(child.i + 1));
      parent.appendChild(mark);
      pos = child.e;
    });
    if (node.e > pos) parent.appendChild(document.createTextNode(text.slice(pos, node.e)));
  }

  function lastPieces(node, last) {
    node.children.forEach(function (c) {
      if (!last[c.i] || c.e >= last[c.i].e) last[c.i] = c;
      lastPieces(c, last);
    });
  }

  function renderDocument(doc, findings) {
    var pane = $("doc");
    pane.replaceChildren();
    var text = doc.text;
    var blocks = doc.blocks && doc.blocks.length ? doc.blocks : [[0, text.length, "paragraph", "main"]];
    var container = el("div", "doc-text");
    blocks.forEach(function (b) {
      var kind = b[2], region = b[3];
      var p = el("p", "blk blk-" + kind);
      if (region && region !== "main") {
        var tag = el("span", "region", region);
        tag.setAttribute("aria-label", "page region: " + region);
        p.appendChild(tag);
      }
      var tree = nest(pieces(doc.ranges, b[0], b[1]), b[0], b[1]);
      var last = {};
      lastPieces(tree, last);
      fill(p, tree, text, findings, last);
      container.appendChild(p);
    });
    pane.appendChild(container);
    var missing = doc.ranges.filter(function (r) { return !r; }).length;
    if (missing) pane.appendChild(el("p", "muted", plural(missing, "finding") + " could not be placed in the text; see the list."));
  }

  function renderFindings(findings) {
    var list = $("findings");
    list.replaceChildren();
    if (!findings.length) {
      var ok = el("li", "all-clear");
      append(ok, el("strong", null, "No findings."),
        " Nothing in this copy matches a rule in force. Read the page once more for claims " +
        "in your own words that no rule can know.");
      list.appendChild(ok);
    }
    findings.forEach(function (f, i) {
      var li = el("li", "finding sev-" + f.severity);
      li.setAttribute("data-i", String(i));
      var head = el("button", "f-head");
      head.type = "button";
      head.setAttribute("data-i", String(i));
      var meta = el("span", "f-meta");
      append(meta, el("span", "num", i + 1), badge(f.severity), el("span", "cat", f.category),
        el("span", "loc", f.line ? "line " + f.line + ", col " + f.column : ""));
      append(head, meta, el("span", "f-claim", "“" + f.text + "”"));
      li.appendChild(head);
      li.appendChild(el("p", "msg", f.message));
      if (f.suggestion) {
        var sug = el("div", "suggest");
        var bar = el("div", "suggest-bar");
        var copy = el("button", "btn small copy", "Copy suggestion");
        copy.type = "button";
        copy.setAttribute("data-i", String(i));
        var edit = el("button", "btn small edit", "Edit in my copy");
        edit.type = "button";
        edit.setAttribute("data-i", String(i));
        edit.title = "Select this claim in your copy, to rewrite it";
        var actions = el("div", "actions");
        append(actions, edit, copy);
        append(bar, el("span", "label", "Suggested rewrite"));
        append(sug, bar, el("p", null, f.suggestion), actions);
        li.appendChild(sug);
      }
      var why = el("details", "why");
      append(why, el("summary", null, "Why this matters"), el("p", null, f.why || ""));
      var rid = el("p", "rule-id");
      var link = el("a", "rule-link", "see the rule");
      link.href = "#rules";
      link.setAttribute("data-rule", f.rule);
      append(rid, "Rule ", el("code", null, f.rule), f.region && f.region !== "main" ? " · in the page " + f.region : "",
        " · ", link);
      why.appendChild(rid);
      li.appendChild(why);
      list.appendChild(li);
    });
  }

  function renderSummary(result) {
    var box = $("summary");
    box.replaceChildren();
    var findings = result.findings, by = result.summary.by_severity || {};
    var counts = el("div", "counts");
    ["error", "warning", "info"].forEach(function (s) {
      var c = el("div", "count-box sev-" + s);
      append(c, el("span", "n", by[s] || 0), badge(s));
      counts.appendChild(c);
    });
    box.appendChild(counts);

    var verdicts = el("ul", "verdicts");
    var names = { DISCLOSURE: "Risk disclosure", "MULTI-INDICATION": "Many conditions" };
    var texts = {
      DISCLOSURE: { flagged: "Missing: the page promotes a treatment and never mentions its risks.",
        clear: "No problem: the page mentions risks, or does not promote a treatment." },
      "MULTI-INDICATION": { flagged: "The page offers one treatment for many unrelated conditions.",
        clear: "No problem: no long list of unrelated conditions." }
    };
    Object.keys(names).forEach(function (cat) {
      var v = result.page.verdicts[cat];
      if (!v) return;
      var li = el("li", "verdict v-" + v.status);
      var label = v.status === "flagged" ? "✗" : v.status === "clear" ? "✓" : "–";
      var mark = el("span", "v-mark", label);
      mark.setAttribute("aria-hidden", "true");
      var body = el("span", "v-body");
      append(body, el("strong", null, names[cat] + ": "),
        v.status === "off" ? "not checked (turned off in the configuration)." : texts[cat][v.status]);
      append(li, mark, body);
      if (v.status === "flagged" && v.finding !== null) {
        var go = el("button", "btn small", "Show");
        go.type = "button";
        go.setAttribute("data-i", String(v.finding));
        go.classList.add("show-finding");
        li.appendChild(go);
      }
      verdicts.appendChild(li);
    });
    box.appendChild(verdicts);

    var cats = result.page.by_category || {};
    var keys = Object.keys(cats).sort(function (a, b) { return cats[b] - cats[a] || (a < b ? -1 : 1); });
    if (keys.length) {
      var table = el("ul", "by-cat");
      table.setAttribute("aria-label", "Findings by category");
      keys.forEach(function (k) {
        var row = el("li");
        append(row, el("span", "cat-name", k), el("span", "cat-n", cats[k]));
        table.appendChild(row);
      });
      box.appendChild(table);
    }
    if (!findings.length) box.appendChild(el("p", "muted", "No findings in this copy."));
  }

  /* ---------- filters and selection ---------- */
  function fillCategories(findings) {
    var select = $("category"), current = select.value;
    var counts = {};
    findings.forEach(function (f) { counts[f.category] = (counts[f.category] || 0) + 1; });
    select.replaceChildren(el("option", null, "All categories"));
    select.firstChild.value = "";
    Object.keys(counts).sort().forEach(function (c) {
      var o = el("option", null, c + " (" + counts[c] + ")");
      o.value = c;
      select.appendChild(o);
    });
    select.value = counts[current] ? current : "";
  }

  function visible(f) {
    var sev = {};
    document.querySelectorAll(".sev-filter").forEach(function (c) { sev[c.value] = c.checked; });
    var cat = $("category").value;
    return sev[f.severity] !== false && (!cat || f.category === cat);
  }

  function applyFilters() {
    if (!state.result) return;
    var findings = state.result.findings, shown = 0;
    findings.forEach(function (f, i) {
      var on = visible(f);
      if (on) shown++;
      var li = $("findings").querySelector('li[data-i="' + i + '"]');
      if (li) li.hidden = !on;
      $("doc").querySelectorAll('mark[data-f="' + i + '"]').forEach(function (m) {
        m.classList.toggle("off", !on);
      });
    });
    $("count").textContent = shown === findings.length ? "(" + findings.length + ")"
      : "(" + shown + " of " + findings.length + " shown)";
  }

  function select(i, opts) {
    opts = opts || {};
    var doc = $("doc"), list = $("findings");
    doc.querySelectorAll("mark.selected").forEach(function (m) { m.classList.remove("selected"); m.removeAttribute("aria-current"); });
    list.querySelectorAll("li.selected").forEach(function (li) { li.classList.remove("selected"); });
    list.querySelectorAll("button.f-head[aria-current]").forEach(function (b) { b.removeAttribute("aria-current"); });
    state.selected = i;
    if (i < 0 || !state.result) { state.selectedKey = null; return; }
    state.selectedKey = findingKey(state.result.findings[i]);
    var marks = doc.querySelectorAll('mark[data-f="' + i + '"]');
    marks.forEach(function (m) { m.classList.add("selected"); m.setAttribute("aria-current", "true"); });
    var li = list.querySelector('li[data-i="' + i + '"]');
    if (li) {
      li.classList.add("selected");
      li.querySelector("button.f-head").setAttribute("aria-current", "true");
    }
    if (opts.scroll === "doc" && marks.length) marks[0].scrollIntoView({ block: "center" });
    if (opts.scroll === "list" && li) li.scrollIntoView({ block: "nearest" });
    if (opts.focus === "mark" && marks.length) marks[0].focus({ preventScroll: true });
    if (opts.focus === "list" && li) li.querySelector("button.f-head").focus({ preventScroll: true });
  }

  /* Select a claim's characters in the editor, scrolled into view, ready to be rewritten. */
  function editClaim(i) {
    var doc = state.result.document, source = $("source");
    var r = doc.editable_ranges && doc.editable_ranges[i];
    // a text area holds line ends as "\n": shift offsets past each "\r\n" of the source
    var shift = function (at) { return at - (doc.editable.slice(0, at).match(/\r\n/g) || []).length; };
    if (!r || source.value !== doc.editable.replace(/\r\n?/g, "\n")) {
      setStatus("Your copy has changed since this check; check it again first.");
      return;
    }
    r = [shift(r[0]), shift(r[1])];
    select(i, { scroll: "doc" });
    // scroll the editor to the claim: measure the text before it in a hidden copy of the editor
    var probe = el("div", "probe");
    var style = window.getComputedStyle(source);
    ["font", "lineHeight", "padding", "letterSpacing", "wordSpacing", "whiteSpace", "overflowWrap"].forEach(function (k) {
      probe.style[k] = style[k];
    });
    probe.style.width = source.clientWidth + "px";
    probe.textContent = source.value.slice(0, r[0]);
    document.body.appendChild(probe);
    var top = probe.scrollHeight;
    probe.remove();
    source.focus({ preventScroll: true });
    source.setSelectionRange(r[0], r[1]);
    source.scrollTop = Math.max(0, top - source.clientHeight / 3);
  }

  function copySuggestion(i, button) {
    var text = state.result.findings[i].suggestion;
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy suggestion"; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }
  function fallbackCopy(text) {
    var area = el("textarea", "visually-hidden");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    area.remove();
  }

  /* ---------- rules and configuration ---------- */
  function loadRules() {
    if (state.rules) { renderRules(); return; }
    api("/api/rules").then(function (r) { return r.json(); }).then(function (data) {
      state.rules = data.rules;
      var select = $("rule-category");
      var cats = {};
      data.rules.forEach(function (r) { cats[r.category] = (cats[r.category] || 0) + 1; });
      Object.keys(cats).sort().forEach(function (c) {
        var o = el("option", null, c + " (" + cats[c] + ")");
        o.value = c;
        select.appendChild(o);
      });
      renderRules();
    }).catch(function (err) { $("rules").textContent = "Could not load the rules: " + err.message; });
  }

  function ruleText(r) {
    return [r.id, r.category, r.message, r.why, r.suggestion, r.sources.join(" "), r.flag.join(" "),
      r.pass.join(" ")].join(" ").toLowerCase();
  }

  function renderRules() {
    var box = $("rules");
    var query = $("rule-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var cat = $("rule-category").value;
    box.replaceChildren();
    var shown = 0;
    state.rules.forEach(function (r) {
      if (cat && r.category !== cat) return;
      var hay = ruleText(r);
      if (!query.every(function (w) { return hay.indexOf(w) >= 0; })) return;
      shown++;
      var card = el("details", "card rule" + (r.enabled ? "" : " disabled"));
      card.id = "rule-" + r.id;
      var sum = el("summary");
      var head = el("span", "rule-head");
      append(head, el("code", "rule-id", r.id), badge(r.severity_in_force === "off" ? r.severity : r.severity_in_force));
      if (r.scope === "document") append(head, el("span", "tag", "whole page"));
      if (!r.enabled) append(head, el("span", "tag off", "off in this configuration"));
      if (r.origin === "user") append(head, el("span", "tag user", "your rules: " + r.file));
      append(sum, head, el("span", "rule-msg", r.message));
      card.appendChild(sum);
      var body = el("div", "rule-body");
      append(body, el("h4", null, "Why it matters"), el("p", null, r.why));
      if (r.sources.length) {
        var src = el("ul", "sources");
        r.sources.forEach(function (s) { src.appendChild(el("li", null, s)); });
        append(body, el("h4", null, "Sources"), src);
      }
      append(body, el("h4", null, "Write instead"), el("p", "suggest-text", r.suggestion));
      var ex = el("div", "examples");
      var flag = el("ul", "ex-flag"), pass = el("ul", "ex-pass");
      r.flag.forEach(function (t) { var li = el("li"); append(li, el("span", "sym", "✗ "), t); flag.appendChild(li); });
      r.pass.forEach(function (t) { var li = el("li"); append(li, el("span", "sym", "✓ "), t); pass.appendChild(li); });
      var a = el("div"), b = el("div");
      append(a, el("h4", null, "Flagged"), flag);
      append(b, el("h4", null, "Passes"), pass);
      append(ex, a, b);
      body.appendChild(ex);
      var foot = el("p", "muted small");
      append(foot, "Not a claim when: " + (r.cancel.length ? r.cancel.join(", ") : "never") +
        (r.seed ? " · Seed: " + r.seed : "") + " · Defined in " + r.file);
      body.appendChild(foot);
      card.appendChild(body);
      box.appendChild(card);
    });
    $("rule-count").textContent = shown + " of " + state.rules.length + " rules";
    if (state.openRule) {
      var wanted = document.getElementById("rule-" + state.openRule);
      state.openRule = null;
      if (wanted) { wanted.open = true; wanted.querySelector("summary").focus(); }
    }
  }

  function loadConfig() {
    api("/api/config").then(function (r) { return r.json(); }).then(function (c) {
      var box = $("config");
      box.replaceChildren();
      var dl = el("dl", "kv");
      function row(k, v) { append(dl, el("dt", null, k), el("dd", null, v)); }
      row("Config file", c.source || "none found — the defaults are in force");
      row("Rules", c.rules + " rules from " + plural(c.rule_files, "file"));
      row("Your rule directories", c.rule_dirs.length ? c.rule_dirs.join("\n") : "none (extend-rules)");
      row("Only these rules (select)", c.selected.length ? c.selected.join(", ") : "all");
      row("Never these rules (ignore)", c.ignored.length ? c.ignored.join(", ") : "none");
      var sev = c.settings.severity || {};
      row("Severity changes", Object.keys(sev).length ? Object.keys(sev).map(function (k) { return k + " → " + sev[k]; }).join("\n") : "none");
      row("Risk wording that counts as a disclosure", (c.settings["disclosure-terms"] || []).join(", ") || "the built-in terms only");
      row("Largest file or text", (c.limits.max_file_size / 1e6).toFixed(1) + " MB (max-file-size)");
      row("Time limit of one check", c.limits.time_limit + " s");
      row("claimlint version", c.version);
      box.appendChild(dl);
      var pre = el("pre", "toml");
      var lines = Object.keys(c.settings).map(function (k) { return k + " = " + JSON.stringify(c.settings[k]); });
      pre.textContent = "[tool.claimlint]\n" + lines.join("\n");
      append(box, el("h3", null, "All settings"), pre);
    });
  }

  /* ---------- views ---------- */
  function showView() {
    var name = (location.hash || "#check").slice(1);
    if (["check", "rules", "config"].indexOf(name) < 0) name = "check";
    document.querySelectorAll(".view").forEach(function (v) { v.hidden = v.id !== "view-" + name; });
    document.querySelectorAll(".tab").forEach(function (t) {
      if (t.getAttribute("data-view") === name) t.setAttribute("aria-current", "page");
      else t.removeAttribute("aria-current");
    });
    if (name === "rules") loadRules();
    if (name === "config") loadConfig();
  }

  /* ---------- wiring ---------- */
  function init() {
    var source = $("source");
    $("check").addEventListener("click", check);
    source.addEventListener("input", function () {
      clearTimeout(state.timer);
      if ($("live").checked) state.timer = setTimeout(check, 600);
    });
    source.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); check(); }
    });
    $("kind").addEventListener("change", function () { if (source.value.trim()) check(); });
    $("open-file").addEventListener("click", function () { $("file").click(); });
    $("file").addEventListener("change", function (e) {
      openFile(e.target.files[0]);
      e.target.value = "";
    });
    var drop = $("drop");
    drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (e) {
      drop.classList.remove("over");
      if (e.dataTransfer && e.dataTransfer.files.length) {
        e.preventDefault();
        openFile(e.dataTransfer.files[0]);
      }
    });
    $("example").addEventListener("click", function () {
      source.value = EXAMPLE;
      state.file = null;
      $("kind").value = "auto";
      check();
    });
    $("doc").addEventListener("click", function (e) {
      var mark = e.target.closest ? e.target.closest("mark[data-f]") : null;
      if (mark) select(Number(mark.getAttribute("data-f")), { scroll: "list" });
    });
    $("findings").addEventListener("click", function (e) {
      var copy = e.target.closest("button.copy");
      if (copy) { copySuggestion(Number(copy.getAttribute("data-i")), copy); return; }
      var ruleLink = e.target.closest("a.rule-link");
      if (ruleLink) { state.openRule = ruleLink.getAttribute("data-rule"); $("rule-search").value = state.openRule; return; }
      var edit = e.target.closest("button.edit");
      if (edit) { editClaim(Number(edit.getAttribute("data-i"))); return; }
      var head = e.target.closest("button.f-head");
      if (head) select(Number(head.getAttribute("data-i")), { scroll: "doc" });
    });
    $("findings").addEventListener("keydown", function (e) {
      var head = e.target.closest ? e.target.closest("button.f-head") : null;
      if (!head || (e.key !== "ArrowDown" && e.key !== "ArrowUp")) return;
      var heads = Array.prototype.filter.call($("findings").querySelectorAll("button.f-head"),
        function (b) { return !b.closest("li").hidden; });
      var at = heads.indexOf(head) + (e.key === "ArrowDown" ? 1 : -1);
      if (at >= 0 && at < heads.length) {
        e.preventDefault();
        heads[at].focus();
        select(Number(heads[at].getAttribute("data-i")), { scroll: "doc" });
      }
    });
    $("summary").addEventListener("click", function (e) {
      var go = e.target.closest("button.show-finding");
      if (go) select(Number(go.getAttribute("data-i")), { scroll: "doc", focus: "list" });
    });
    document.querySelectorAll(".sev-filter").forEach(function (c) { c.addEventListener("change", applyFilters); });
    $("category").addEventListener("change", applyFilters);
    document.querySelectorAll(".downloads button").forEach(function (b) {
      b.addEventListener("click", function () { download(b.getAttribute("data-format")); });
    });
    $("rule-search").addEventListener("input", function () { if (state.rules) renderRules(); });
    $("rule-category").addEventListener("change", function () { if (state.rules) renderRules(); });
    window.addEventListener("hashchange", showView);
    showView();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
}());
