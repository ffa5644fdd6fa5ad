"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const rows = DATA.rows;
  const flags = DATA.flags;
  const byId = new Map(rows.map(function (row, index) { return [row.id, index]; }));
  const state = { band: "", flag: "", cluster: "", search: "", sort: "score", desc: true, page: 0, selected: null };
  let view = [];

  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const key of Object.keys(props)) {
        if (key === "text") node.textContent = props[key];
        else if (key === "className") node.className = props[key];
        else node.setAttribute(key, props[key]);
      }
    }
    for (const child of children || []) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function option(select, value, label) { select.appendChild(el("option", { value: value, text: label })); }

  // Summary
  document.getElementById("title").textContent = DATA.title;
  document.title = DATA.title;
  document.getElementById("generated").textContent =
    "Generated " + DATA.generated + " by scamscreen " + DATA.version + ". Scores are leads to check, not verdicts.";
  document.getElementById("row-count").textContent = rows.length.toLocaleString();
  document.getElementById("error-count").textContent =
    DATA.errors ? DATA.errors + " could not be screened" : "all screened";
  const chart = document.getElementById("band-chart");
  const bandTotals = DATA.bands.concat(DATA.errors ? [{ name: "error", count: DATA.errors }] : []);
  const biggest = Math.max(1, ...bandTotals.map(function (b) { return b.count; }));
  chart.setAttribute("aria-label", bandTotals.map(function (b) { return b.name + " " + b.count; }).join(", "));
  for (const band of bandTotals) {
    const bar = el("span", { className: "bar " + band.name });
    bar.style.width = (band.count / biggest * 9) + "rem";
    const label = band.from !== undefined ? band.name + " (" + band.from + "+)" : band.name;
    chart.appendChild(el("div", { className: "bar-row", "data-band": band.name },
      [el("span", { className: "label", text: label }), el("span", { className: "n", text: String(band.count) }), bar]));
  }
  const topFlags = document.getElementById("top-flags");
  for (const flag of DATA.top_flags) {
    const button = el("button", { className: "linkish", type: "button", text: flag.id });
    button.addEventListener("click", function () { setFilter("flag", flag.id); });
    topFlags.appendChild(el("li", null, [button, " " + flag.title + " — " + flag.count]));
  }
  if (!DATA.top_flags.length) topFlags.appendChild(el("li", { text: "no flags fired" }));
  const topClusters = document.getElementById("top-clusters");
  for (const cluster of DATA.clusters.slice(0, 10)) {
    const button = el("button", { className: "linkish", type: "button", text: cluster.id });
    button.addEventListener("click", function () { setFilter("cluster", cluster.id); });
    const what = cluster.links.join(" + ") + (cluster.contacts.length ? ": " + cluster.contacts.slice(0, 3).join(", ") : "");
    topClusters.appendChild(el("li", null, [button, " " + cluster.size + " ads, max " + cluster.max_score +
      ", median " + cluster.median_score + " (" + what + ")"]));
  }
  if (!DATA.clusters.length) {
    topClusters.appendChild(el("li", { text: DATA.linked ? "no ads linked" : "not linked (run batch with --link)" }));
  }

  // Filters
  const bandFilter = document.getElementById("band-filter");
  for (const band of bandTotals) option(bandFilter, band.name, band.name + " (" + band.count + ")");
  const flagFilter = document.getElementById("flag-filter");
  const flagCounts = new Map();
  for (const row of rows) for (const f of row.flags) flagCounts.set(f.id, (flagCounts.get(f.id) || 0) + 1);
  for (const id of Array.from(flagCounts.keys()).sort()) {
    option(flagFilter, id, id + " " + flags[id].title.slice(0, 60) + " (" + flagCounts.get(id) + ")");
  }
  const clusterFilter = document.getElementById("cluster-filter");
  for (const cluster of DATA.clusters) option(clusterFilter, cluster.id, cluster.id + " (" + cluster.size + ")");

  function setFilter(name, value) {
    state[name] = value;
    state.page = 0;
    const select = { band: bandFilter, flag: flagFilter, cluster: clusterFilter }[name];
    if (select) select.value = value;
    refresh();
  }
  bandFilter.addEventListener("change", function () { setFilter("band", bandFilter.value); });
  flagFilter.addEventListener("change", function () { setFilter("flag", flagFilter.value); });
  clusterFilter.addEventListener("change", function () { setFilter("cluster", clusterFilter.value); });
  let searchTimer = null;
  document.getElementById("search").addEventListener("input", function (event) {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { setFilter("search", event.target.value.trim().toLowerCase()); }, 200);
  });
  for (const th of document.querySelectorAll("th[data-sort]")) {
    const activate = function () {
      const key = th.getAttribute("data-sort");
      state.desc = state.sort === key ? !state.desc : key === "score";
      state.sort = key;
      state.page = 0;
      refresh();
    };
    th.addEventListener("click", activate);
    th.addEventListener("keydown", function (event) { if (event.key === "Enter") activate(); });
  }
  document.getElementById("prev").addEventListener("click", function () { state.page -= 1; render(); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; render(); });

  function matches(row) {
    if (state.band && row.band !== state.band) return false;
    if (state.flag && !row.flags.some(function (f) { return f.id === state.flag; })) return false;
    if (state.cluster === "*" && !row.cluster) return false;
    if (state.cluster && state.cluster !== "*" && row.cluster !== state.cluster) return false;
    if (state.search) {
      const haystack = (row.id + "\n" + row.text + "\n" + row.contacts.map(function (c) { return c.value; }).join(" ")).toLowerCase();
      if (haystack.indexOf(state.search) < 0) return false;
    }
    return true;
  }
  function compare(a, b) {
    const ra = rows[a], rb = rows[b];
    let result = 0;
    if (state.sort === "score") result = (ra.score === null ? -1 : ra.score) - (rb.score === null ? -1 : rb.score);
    else if (state.sort === "cluster") result = (ra.cluster || "\uffff").localeCompare(rb.cluster || "\uffff");
    else result = String(ra.id).localeCompare(String(rb.id), undefined, { numeric: true });
    if (result === 0) result = a - b;
    return state.desc ? -result : result;
  }
  function refresh() {
    view = [];
    for (let i = 0; i < rows.length; i++) if (matches(rows[i])) view.push(i);
    view.sort(compare);
    for (const th of document.querySelectorAll("th[data-sort]")) {
      const key = th.getAttribute("data-sort");
      const label = { id: "ID", score: "Score", cluster: "Cluster" }[key];
      th.textContent = label + (state.sort === key ? (state.desc ? " ▼" : " ▲") : "");
      th.setAttribute("aria-sort", state.sort === key ? (state.desc ? "descending" : "ascending") : "none");
    }
    render();
  }
  function render() {
    const pages = Math.max(1, Math.ceil(view.length / DATA.page_size));
    state.page = Math.min(Math.max(state.page, 0), pages - 1);
    const body = document.getElementById("rows");
    const fragment = document.createDocumentFragment();
    const start = state.page * DATA.page_size;
    for (const index of view.slice(start, start + DATA.page_size)) {
      const row = rows[index];
      const tr = el("tr", { "data-id": row.id, "data-index": String(index) }, [
        el("td", { className: "id", text: row.id }),
        el("td", { className: "score", text: row.score === null ? "–" : String(row.score) }),
        el("td", null, [el("span", { className: "band " + row.band, text: row.band })]),
        el("td", { className: "flags", text: row.flags.map(function (f) { return f.id; }).join(", ") }),
        el("td", { className: "cluster", text: row.cluster }),
        el("td", { className: "contacts", text: row.contacts.map(function (c) { return c.value; }).slice(0, 3).join(" ") }),
        el("td", { className: "why", text: row.error ? "error: " + row.error : row.reason }),
      ]);
      if (state.selected === index) tr.className = "selected";
      tr.addEventListener("click", function () { show(index); });
      fragment.appendChild(tr);
    }
    clear(body);
    body.appendChild(fragment);
    document.getElementById("page-info").textContent =
      "page " + (state.page + 1) + " of " + pages + " · rows " + (view.length ? start + 1 : 0) + "–" +
      Math.min(start + DATA.page_size, view.length) + " of " + view.length;
    document.getElementById("prev").disabled = state.page === 0;
    document.getElementById("next").disabled = state.page >= pages - 1;
    document.getElementById("match-count").textContent = view.length + " of " + rows.length + " ads";
  }

  function highlighted(row) {
    // Split the text at every span boundary (code points) and mark the pieces covered.
    const chars = Array.from(row.text);
    const spans = [];
    for (const f of row.flags) for (const s of f.spans) spans.push({ start: s[0], end: s[1], label: f.id, contact: false });
    for (const c of row.contacts) spans.push({ start: c.start, end: c.end, label: c.kind + ": " + c.value, contact: true });
    const cuts = new Set([0, chars.length]);
    for (const s of spans) { cuts.add(Math.max(0, Math.min(s.start, chars.length))); cuts.add(Math.max(0, Math.min(s.end, chars.length))); }
    const points = Array.from(cuts).sort(function (a, b) { return a - b; });
    const container = el("div", { className: "ad-text", id: "ad-text" });
    for (let i = 0; i + 1 < points.length; i++) {
      const from = points[i], to = points[i + 1];
      const piece = chars.slice(from, to).join("");
      const covering = spans.filter(function (s) { return s.start <= from && s.end >= to; });
      if (!covering.length) { container.appendChild(document.createTextNode(piece)); continue; }
      const flagsHere = covering.filter(function (s) { return !s.contact; });
      const mark = el("mark", { title: covering.map(function (s) { return s.label; }).join(", "),
        "data-flags": flagsHere.map(function (s) { return s.label; }).join(" ") });
      if (!flagsHere.length) mark.className = "contact";
      mark.textContent = piece;
      container.appendChild(mark);
    }
    return container;
  }
  function show(index) {
    state.selected = index;
    const row = rows[index];
    const detail = document.getElementById("detail");
    clear(detail);
    detail.hidden = false;
    const close = el("button", { type: "button", className: "linkish", text: "close" });
    close.addEventListener("click", function () { detail.hidden = true; state.selected = null; render(); });
    detail.appendChild(el("p", { className: "muted" }, [close]));
    detail.appendChild(el("h2", null, [row.id + " · ", el("span", { className: "band " + row.band, text: row.band }),
      row.score === null ? "" : " score " + row.score]));
    if (row.error) { detail.appendChild(el("p", { text: "Could not be screened: " + row.error })); render(); return; }
    if (row.cluster) {
      const cluster = DATA.clusters.find(function (c) { return c.id === row.cluster; });
      const button = el("button", { className: "linkish", type: "button", text: "show all " + cluster.size + " ads of " + cluster.id });
      button.addEventListener("click", function () { setFilter("cluster", cluster.id); });
      detail.appendChild(el("p", null, ["In cluster " + cluster.id + " (" + cluster.links.join(" + ") + "). ", button]));
    }
    detail.appendChild(el("h3", { text: "The advert (matches highlighted)" }));
    detail.appendChild(highlighted(row));
    detail.appendChild(el("h3", { text: "Red flags" }));
    if (!row.flags.length) detail.appendChild(el("p", { className: "muted", text: "No red flags fired." }));
    const chars = Array.from(row.text);
    for (const f of row.flags) {
      const meta = flags[f.id];
      const box = el("div", { className: "flag", "data-flag": f.id });
      box.appendChild(el("span", { className: "points", text: (f.points >= 0 ? "+" : "") + f.points.toFixed(2) }));
      box.appendChild(el("p", null, [el("strong", { text: f.id }), " " + meta.title]));
      const matched = f.spans.map(function (s) { return "“" + chars.slice(s[0], s[1]).join("") + "”"; }).join(", ");
      if (matched) box.appendChild(el("p", null, [el("span", { className: "label", text: "Matched: " }), matched]));
      if (f.because.length) box.appendChild(el("p", null, [el("span", { className: "label", text: "Together: " }), f.because.join(", ")]));
      if (f.note) box.appendChild(el("p", { className: "muted", text: f.note }));
      box.appendChild(el("p", null, [el("span", { className: "label", text: "Why it matters: " }), meta.rationale]));
      box.appendChild(el("p", null, [el("span", { className: "label", text: "Source: " }), meta.sources.join("; ")]));
      box.appendChild(el("p", null, [el("span", { className: "label", text: "Check next: " }), meta.advice]));
      box.appendChild(el("p", { className: "muted", text: "severity " + meta.severity + ", confidence " + meta.confidence }));
      detail.appendChild(box);
    }
    if (row.classifier !== null && row.classifier !== undefined) {
      detail.appendChild(el("p", { className: "muted", text: "Classifier: wording " + Math.round(row.classifier * 100) + "% like known scam ads." }));
    }
    detail.appendChild(el("h3", { text: "Contacts" }));
    const list = el("ul", { id: "contact-list" });
    for (const c of row.contacts) {
      list.appendChild(el("li", null, [el("strong", { text: c.kind }), " " + c.value + (c.country ? " (" + c.country + ")" : "") +
        (c.text !== c.value ? " — written “" + c.text + "”" : "")]));
    }
    if (!row.contacts.length) list.appendChild(el("li", { text: "none found" }));
    detail.appendChild(list);
    render();
  }

  refresh();
  const fromHash = decodeURIComponent(location.hash.slice(1));
  if (fromHash && byId.has(fromHash)) show(byId.get(fromHash));
})();
