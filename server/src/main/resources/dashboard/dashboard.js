// ratelimiterd dashboard: reads the admin API every REFRESH_MS and draws one card per limit.
// Plain script, no build step. Everything the server sends is put into the page as text (never as
// HTML), because keys and descriptions are whatever an admin typed.
(function () {
  "use strict";

  var REFRESH_MS = 1500;
  var TOKEN_KEY = "ratelimiterd.adminToken";
  var SVG = "http://www.w3.org/2000/svg";

  var cards = new Map(); // key -> {root, parts}
  var timer = null;

  function $(id) { return document.getElementById(id); }

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function headers() {
    var t = token();
    return t ? { "Authorization": "Bearer " + t } : {};
  }

  function number(n) { return Number(n).toLocaleString("en-US"); }

  function percent(part, whole) {
    if (whole <= 0) { return 0; }
    return Math.max(0, Math.min(100, (part / whole) * 100));
  }

  // One admin GET; resolves to the parsed body, rejects with {status, body} for any other status.
  function getJson(path) {
    return fetch(path, { headers: headers(), cache: "no-store" }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = JSON.parse(text); } catch (e) { body = { error: "invalid_response", detail: text }; }
        if (!response.ok) { throw { status: response.status, body: body }; }
        return body;
      });
    });
  }

  function setLive(state, text) {
    var live = $("live");
    live.dataset.state = state;
    live.textContent = text;
  }

  function showTokenForm(message) {
    $("token-form").hidden = false;
    $("token-error").hidden = !message;
    $("token-error").textContent = message || "";
    $("token-input").focus();
  }

  function showProblem(text) {
    var problem = $("problem");
    problem.hidden = !text;
    problem.textContent = text || "";
  }

  function refresh() {
    Promise.all([getJson("/v1/admin/limits"), getJson("/v1/admin/activity")])
      .then(function (answers) {
        $("token-form").hidden = true;
        showProblem(null);
        $("forget-token").hidden = !token();
        render(answers[0].limits, answers[1]);
        setLive("live", "live");
        $("updated").textContent = "updated " + new Date().toLocaleTimeString();
      })
      .catch(function (failure) {
        if (failure && failure.status === 401) {
          setLive("error", "token needed");
          showTokenForm(token() ? "The server did not accept that token." : null);
          sessionStorage.removeItem(TOKEN_KEY);
        } else if (failure && failure.status) {
          setLive("error", "refused");
          showProblem("The server answered " + failure.status + ": " + (failure.body.detail || failure.body.error));
        } else {
          setLive("error", "offline");
          showProblem("The server does not answer; retrying.");
        }
      })
      .then(function () {
        timer = setTimeout(refresh, REFRESH_MS);
      });
  }

  function render(limits, activity) {
    var byKey = new Map();
    activity.keys.forEach(function (entry) { byKey.set(entry.key, entry); });

    var seen = new Set();
    var container = $("limits");
    limits.forEach(function (info, index) {
      var key = info.definition.key;
      seen.add(key);
      var card = cards.get(key);
      if (!card) {
        card = createCard(key);
        cards.set(key, card);
      }
      if (container.children[index] !== card.root) {
        container.insertBefore(card.root, container.children[index] || null);
      }
      updateCard(card, info, byKey.get(key) || quiet(key, activity.buckets), activity.bucket_seconds);
    });
    cards.forEach(function (card, key) {
      if (!seen.has(key)) {
        card.root.remove();
        cards.delete(key);
      }
    });
    $("empty").hidden = limits.length > 0;
    renderSummary(limits, activity);
  }

  // A key the server has not counted yet (no reserve named it since it started): all zeros.
  function quiet(key, buckets) {
    var zeros = [];
    for (var i = 0; i < buckets; i++) { zeros.push(0); }
    return { key: key, allowed: zeros, denied: zeros, failed: zeros };
  }

  function renderSummary(limits, activity) {
    var busy = 0;
    var decreasing = 0;
    limits.forEach(function (info) {
      if (percent(info.usage.reserved, info.definition.capacity) >= 80) { busy++; }
      if (info.status === "decreasing") { decreasing++; }
    });
    var allowed = 0;
    var denied = 0;
    activity.keys.forEach(function (entry) {
      allowed += sum(entry.allowed);
      denied += sum(entry.denied) + sum(entry.failed);
    });
    $("stat-limits").textContent = number(limits.length);
    $("stat-busy").textContent = number(busy);
    $("stat-decreasing").textContent = number(decreasing);
    $("stat-allowed").textContent = number(allowed);
    $("stat-denied").textContent = number(denied);
  }

  function sum(values) {
    return values.reduce(function (a, b) { return a + b; }, 0);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function numberCell(label) {
    var cell = element("div");
    var value = element("span", "value", "-");
    cell.appendChild(value);
    cell.appendChild(element("span", "label", label));
    return { cell: cell, value: value };
  }

  function createCard(key) {
    var root = element("article", "limit");
    root.dataset.key = key;

    var head = element("div", "limit-head");
    var names = element("div");
    names.appendChild(element("div", "key", key));
    var description = element("div", "description");
    names.appendChild(description);
    var badges = element("div", "badges");
    var kind = element("span", "badge kind");
    var status = element("span", "badge status");
    badges.appendChild(kind);
    badges.appendChild(status);
    head.appendChild(badges);
    head.appendChild(names);

    var bar = element("div", "bar");
    bar.setAttribute("role", "meter");
    var reserved = element("div", "fill reserved");
    var debt = element("div", "fill debt");
    var target = element("div", "target");
    bar.appendChild(reserved);
    bar.appendChild(debt);
    bar.appendChild(target);

    var numbers = element("div", "numbers");
    var capacity = numberCell("capacity");
    var held = numberCell("reserved");
    var available = numberCell("available");
    var owed = numberCell("debt");
    [capacity, held, available, owed].forEach(function (n) { numbers.appendChild(n.cell); });

    var activity = element("div", "activity");
    var chart = document.createElementNS(SVG, "svg");
    chart.setAttribute("preserveAspectRatio", "none");
    chart.setAttribute("aria-label", "admissions and denials per bucket, last five minutes");
    var totals = element("div", "totals");
    activity.appendChild(chart);
    activity.appendChild(totals);

    root.appendChild(head);
    root.appendChild(bar);
    root.appendChild(numbers);
    root.appendChild(activity);
    return {
      root: root,
      parts: {
        description: description, kind: kind, status: status, bar: bar, reserved: reserved, debt: debt,
        target: target, capacity: capacity.value, held: held.value, available: available.value,
        owed: owed.value, chart: chart, totals: totals
      }
    };
  }

  function updateCard(card, info, activity, bucketSeconds) {
    var d = info.definition;
    var p = card.parts;
    var unit = d.unit ? " " + d.unit : "";
    card.root.dataset.status = info.status;
    card.root.dataset.reserved = String(info.usage.reserved);
    p.description.textContent = d.description || "";
    p.kind.textContent = d.kind === "rolling"
      ? "rolling " + duration(d.window_seconds)
      : "concurrency, " + duration(d.timeout_seconds) + " timeout";
    p.status.className = "badge status status-" + info.status;
    p.status.textContent = info.status === "decreasing"
      ? "decreasing to " + number(info.pending_decrease_to)
      : info.status;

    var reservedPercent = percent(info.usage.reserved, d.capacity);
    var debtPercent = Math.min(100 - reservedPercent, percent(info.usage.debt, d.capacity));
    p.reserved.style.width = reservedPercent + "%";
    p.debt.style.width = debtPercent + "%";
    p.bar.dataset.full = String(reservedPercent >= 100);
    p.bar.setAttribute("aria-valuenow", String(info.usage.reserved));
    p.bar.setAttribute("aria-valuemax", String(d.capacity));
    p.bar.title = number(info.usage.reserved) + " of " + number(d.capacity) + unit + " reserved ("
      + reservedPercent.toFixed(1) + "%)";
    if (info.status === "decreasing") {
      p.target.hidden = false;
      p.target.style.left = "calc(" + percent(info.pending_decrease_to, d.capacity) + "% - 1px)";
    } else {
      p.target.hidden = true;
    }

    p.capacity.textContent = number(d.capacity) + unit;
    p.held.textContent = number(info.usage.reserved);
    p.available.textContent = number(info.usage.available);
    p.owed.textContent = number(info.usage.debt);

    drawActivity(p.chart, p.totals, activity, bucketSeconds);
  }

  function duration(seconds) {
    if (seconds % 86400 === 0) { return seconds / 86400 + " d"; }
    if (seconds % 3600 === 0) { return seconds / 3600 + " h"; }
    if (seconds % 60 === 0) { return seconds / 60 + " min"; }
    return seconds + " s";
  }

  // Stacked columns, one per bucket: admitted at the bottom, denied (and failed) on top.
  function drawActivity(chart, totals, activity, bucketSeconds) {
    while (chart.firstChild) { chart.removeChild(chart.firstChild); }
    var allowed = activity.allowed;
    var refused = activity.denied.map(function (v, i) { return v + activity.failed[i]; });
    var buckets = allowed.length;
    var width = 300;
    var height = 34;
    chart.setAttribute("viewBox", "0 0 " + width + " " + height);
    var peak = 1;
    for (var i = 0; i < buckets; i++) { peak = Math.max(peak, allowed[i] + refused[i]); }
    var step = buckets ? width / buckets : width;
    for (var b = 0; b < buckets; b++) {
      var x = b * step + 1;
      var w = Math.max(1, step - 2);
      var hAllowed = (allowed[b] / peak) * (height - 2);
      var hRefused = (refused[b] / peak) * (height - 2);
      column(chart, x, height - hAllowed, w, hAllowed, "var(--allowed)");
      column(chart, x, height - hAllowed - hRefused, w, hRefused, "var(--denied)");
    }
    var baseline = document.createElementNS(SVG, "rect");
    baseline.setAttribute("x", "0");
    baseline.setAttribute("y", String(height - 1));
    baseline.setAttribute("width", String(width));
    baseline.setAttribute("height", "1");
    baseline.setAttribute("fill", "var(--line)");
    chart.appendChild(baseline);

    var minutes = Math.round((buckets * bucketSeconds) / 60);
    while (totals.firstChild) { totals.removeChild(totals.firstChild); }
    var a = element("b", "allowed", number(sum(allowed)));
    var d = element("b", "denied", number(sum(refused)));
    totals.appendChild(a);
    totals.appendChild(document.createTextNode(" admitted"));
    totals.appendChild(element("br"));
    totals.appendChild(d);
    totals.appendChild(document.createTextNode(" denied, " + minutes + " min"));
    totals.dataset.allowed = String(sum(allowed));
    totals.dataset.denied = String(sum(refused));
  }

  function column(chart, x, y, w, h, fill) {
    if (h <= 0) { return; }
    var rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("x", x.toFixed(2));
    rect.setAttribute("y", y.toFixed(2));
    rect.setAttribute("width", w.toFixed(2));
    rect.setAttribute("height", Math.max(1, h).toFixed(2));
    rect.setAttribute("rx", "1");
    rect.setAttribute("fill", fill);
    chart.appendChild(rect);
  }

  $("token").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("token-input").value.trim();
    if (!value) { return; }
    sessionStorage.setItem(TOKEN_KEY, value);
    $("token-input").value = "";
    clearTimeout(timer);
    refresh();
  });

  $("forget-token").addEventListener("click", function () {
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(timer);
    refresh();
  });

  refresh();
})();
