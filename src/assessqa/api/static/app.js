// The practitioner page: reads the form, calls POST v1/score with the key as a bearer token, shows the record.
// Everything stays in this tab's memory; nothing is written to storage. Text is only ever set as textContent.
"use strict";
(function () {
  const form = document.getElementById("score-form");
  const keyInput = document.getElementById("api-key");
  const textInput = document.getElementById("document-text");
  const typeInput = document.getElementById("doc-type");
  const docxInput = document.getElementById("docx");
  const button = document.getElementById("score");
  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const results = document.getElementById("results");
  const LABELS = {
    lived_experience: "Lived experience", risk_analysis: "Risk analysis", family_history: "Family history",
    smart_actions: "SMART actions", contingency: "Contingency", child_focus: "Child focus"
  };
  // Why a grade asks for review, in words a practitioner reads (the record's review_reasons).
  const REASONS = {
    thin: "very little text to grade", off_topic: "the text does not read like a social care record",
    disordered: "the text does not read as ordered sentences",
    two_records: "the text goes on with another family's record, which was not graded", low_confidence: "the model is unsure",
    likely_wrong: "often wrong on records like this one"
  };

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  async function problemTitle(response) {
    try {
      const body = await response.json();
      return body.title || ("The service answered " + response.status);
    } catch (e) {
      return "The service answered " + response.status;
    }
  }

  function showError(message) {
    errorBox.textContent = message;
    status.textContent = "";
  }

  function highlight(text, marks) {
    const out = document.getElementById("highlighted");
    clear(out);
    let pos = 0;
    marks.sort((a, b) => a.start - b.start || b.end - a.end);
    for (const m of marks) {
      if (m.start < pos || m.end > text.length) continue;
      out.appendChild(document.createTextNode(text.slice(pos, m.start)));
      const mark = el("mark", null, "cue-" + m.cue);
      mark.title = m.cue.replace(/_/g, " ");
      mark.appendChild(el("span", "[" + m.cue.replace(/_/g, " ") + "] ", "cue"));
      mark.appendChild(document.createTextNode(text.slice(m.start, m.end)));
      out.appendChild(mark);
      pos = m.end;
    }
    out.appendChild(document.createTextNode(text.slice(pos)));
  }

  function render(record, text) {
    const grades = document.querySelector("#grades tbody");
    const checklist = document.getElementById("checklist");
    const children = document.getElementById("children");
    const actions = document.querySelector("#actions tbody");
    [grades, checklist, children, actions].forEach(clear);
    const marks = [];
    let n = 0;
    for (const [dim, result] of Object.entries(record.dimensions)) {
      if (!result) continue;
      const row = el("tr");
      row.appendChild(el("th", LABELS[dim] || dim)).scope = "row";
      row.appendChild(el("td", result.grade + " " + result.label));
      const why = (result.review_reasons || []).map((r) => REASONS[r] || r).join("; ");
      row.appendChild(el("td", result.needs_review ? "Yes: " + (why || "the model is unsure") : "No", result.needs_review ? "review" : ""));
      grades.appendChild(row);
      for (const e of result.evidence) marks.push({start: e.start, end: e.end, cue: e.cue});
      for (const s of result.suggestions) {
        const item = el("li");
        const box = el("input");
        box.type = "checkbox";
        box.id = "todo-" + (n++);
        const label = el("label", (LABELS[dim] || dim) + ": " + s);
        label.htmlFor = box.id;
        item.appendChild(box);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(label);
        checklist.appendChild(item);
      }
    }
    if (!checklist.firstChild) checklist.appendChild(el("li", "Nothing: every dimension is graded outstanding."));
    const kids = (record.insights && record.insights.children) || [];
    for (const c of kids) {
      children.appendChild(el("li", c.name + " (" + c.age + "): day " + (c.daily_life ? "described" : "not described") +
        "; own words or observed responses " + (c.views ? "recorded" : "not recorded")));
    }
    if (!kids.length) children.appendChild(el("li", "No child introduced with an age was found."));
    const actionsHeading = document.getElementById("actions-heading");
    const actionsTable = document.getElementById("actions");
    actionsHeading.hidden = actionsTable.hidden = record.doc_type !== "plan";
    for (const a of record.actions) {
      const row = el("tr");
      row.appendChild(el("td", a.text));
      const missing = Object.entries(a.smart).filter(([, ok]) => !ok).map(([f]) => f.replace("_", "-"));
      row.appendChild(el("td", missing.length ? missing.join(", ") : "nothing: SMART", "missing"));
      row.appendChild(el("td", a.suggestions.length ? a.suggestions[0] : ""));
      actions.appendChild(row);
    }
    highlight(text, marks);
    results.hidden = false;
    status.textContent = "Scored: " + Object.values(record.dimensions).filter(Boolean).length + " grades, " +
      record.actions.length + " actions. Results below.";
    document.getElementById("results-heading").focus();
  }

  docxInput.addEventListener("change", async () => {
    const file = docxInput.files[0];
    if (!file) return;
    errorBox.textContent = "";
    status.textContent = "Reading " + file.name + "…";
    const response = await fetch("v1/extract-text", {
      method: "POST",
      headers: {"Authorization": "Bearer " + keyInput.value, "Content-Type": "application/octet-stream"},
      body: await file.arrayBuffer()
    });
    if (!response.ok) { showError(await problemTitle(response)); return; }
    textInput.value = (await response.json()).text;
    status.textContent = "The document's text is in the box; press Score.";
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.textContent = "";
    if (!keyInput.value) { showError("Enter the API key."); keyInput.focus(); return; }
    if (!textInput.value.trim()) { showError("Paste the document text or upload a .docx."); textInput.focus(); return; }
    const text = textInput.value;
    const body = {text: text};
    if (typeInput.value) body.doc_type = typeInput.value;
    button.disabled = true;
    status.textContent = "Scoring…";
    try {
      const response = await fetch("v1/score", {
        method: "POST",
        headers: {"Authorization": "Bearer " + keyInput.value, "Content-Type": "application/json"},
        body: JSON.stringify(body)
      });
      if (!response.ok) { showError(await problemTitle(response)); return; }
      render(await response.json(), text);
    } catch (e) {
      showError("The service could not be reached.");
    } finally {
      button.disabled = false;
    }
  });
})();
