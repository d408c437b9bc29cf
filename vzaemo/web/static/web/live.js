// Live auction pages: render the state from the ASGI process's Server-Sent Event stream.
// Countdowns use the server's time only (the offset from the last event), never the device clock
// alone: a phone's clock may be minutes off (docs/reference/auctions.md §5).
(function () {
  "use strict";
  var root = document.querySelector("[data-live-root]");
  if (!root) return;
  var labels = JSON.parse(document.getElementById("live-labels").textContent);
  var state = JSON.parse(document.getElementById("live-initial").textContent);
  var offset = Date.parse(state.now) - Date.now();
  var form = root.querySelector("[data-live-form]");
  var key = null; // the idempotency key of the bid being sent; kept for a retry, renewed for a new bid
  var mayBidBefore = false; // whether the bidder could bid at the last render

  function el(name) { return root.querySelector('[data-live="' + name + '"]'); }
  function serverNow() { return Date.now() + offset; }
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return values[k] == null ? "" : String(values[k]); });
  }
  // Money as the server's `money` filter writes it: the page's language, two decimals ("100 000,00").
  var moneyFormat = new Intl.NumberFormat(document.documentElement.lang || "uk", {
    minimumFractionDigits: 2, maximumFractionDigits: 2
  });
  function money(value) { return value == null || value === "" ? "—" : moneyFormat.format(Number(value)); }
  function setText(name, text) { var node = el(name); if (node && node.textContent !== text) node.textContent = text; }

  function stageLabel(s) {
    var stage = s.stage || {};
    var template = labels.stages[stage.kind] || stage.kind || "";
    return fmt(template, { round: stage.round, n: stage.owner });
  }

  function renderStandings(s) {
    var body = el("standings");
    if (!body) return;
    var rows = s.standings || [];
    body.textContent = "";
    if (!rows.length) {
      var empty = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = 3; td.className = "empty"; td.textContent = labels.no_bids;
      empty.appendChild(td); body.appendChild(empty);
      return;
    }
    rows.forEach(function (row, i) {
      var tr = document.createElement("tr");
      if (s.you && row.bid_id === s.you.bidder) tr.className = "live-you";
      [String(i + 1), fmt(labels.bidder, { n: row.bid_id }), money(row.amount)].forEach(function (text, j) {
        var cell = document.createElement("td");
        if (j === 2) cell.className = "auc-num";
        cell.textContent = text;
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
  }

  function render(s) {
    state = s;
    setText("stage", stageLabel(s));
    var stage = s.stage || {};
    setText("turn", stage.kind === "turn" ? fmt(labels.turn_of, { n: stage.owner }) : "");
    setText("dutch-price", money(s.dutch_price));
    renderStandings(s);
    setText("result", s.ended ? (s.unsuccessful ? labels.unsuccessful : labels.over) : "");
    var protocol = el("protocol");
    if (protocol && s.protocol_url && !protocol.querySelector("a")) {
      var a = document.createElement("a");
      a.href = root.getAttribute("data-protocol-url"); a.textContent = labels.protocol;
      protocol.appendChild(a);
    }
    if (form && s.you) {
      var min = s.you.min_amount;
      var mayBid = Boolean(min) && !s.ended;
      setText("min", min ? fmt(labels.min_amount, { m: money(min) }) : labels.cannot_bid);
      setText("your-turn", mayBid ? labels.your_turn : "");
      // The moment to bid has come: bring the form on screen (on a phone it is below the standings).
      if (mayBid && !mayBidBefore) form.scrollIntoView({ block: "end" });
      mayBidBefore = mayBid;
      var amount = el("amount");
      if (amount && min && document.activeElement !== amount) amount.value = min;
      el("submit").disabled = !min || s.ended;
      amount.min = min || "";
    }
    tick();
  }

  function tick() {
    var stage = state.stage || {};
    if (state.ended || !stage.end) { setText("clock", ""); return; }
    var left = Math.max(0, Math.round((Date.parse(stage.end) - serverNow()) / 1000));
    var m = Math.floor(left / 60), sec = left % 60;
    setText("clock", fmt(labels.left, { t: m + ":" + (sec < 10 ? "0" : "") + sec }));
  }
  setInterval(tick, 250);

  var url = root.getAttribute("data-events-url");
  if (url && window.EventSource) {
    var source = new EventSource(url);
    source.addEventListener("open", function () { setText("connection", labels.connected); });
    source.addEventListener("error", function () { setText("connection", labels.reconnecting); });
    source.addEventListener("state", function (e) {
      var s = JSON.parse(e.data);
      if (s.now) offset = Date.parse(s.now) - Date.now();
      render(s);
    });
    source.addEventListener("time", function (e) {
      var t = JSON.parse(e.data);
      offset = Date.parse(t.now) - Date.now();
      tick();
    });
  }

  if (form) {
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var submitter = event.submitter;
      if (submitter && submitter.name) data.set(submitter.name, submitter.value);
      if (!key) key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
      data.set("idempotency_key", key);
      setText("feedback", labels.sending);
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf }
      }).then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      }).then(function (r) {
        if (r.status === 201 || r.status === 200) {
          key = null;
          var amount = r.body.data.amount;
          setText("feedback", amount ? fmt(labels.accepted, { amount: money(amount) }) : labels.cancelled);
        } else {
          if (r.status !== 429) key = null;
          setText("feedback", (r.body.errors && r.body.errors[0] && r.body.errors[0].message) || labels.failed);
        }
      }).catch(function () {
        setText("feedback", labels.network); // the same key is sent again on retry: never a second bid
      });
    });
  }
  render(state);
})();
