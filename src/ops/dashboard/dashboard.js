// culex dashboard: polls the admin API every second and redraws. No framework, nothing from the network but
// this broker. The rate is the difference of two readings of the PUBLISH counters over the time between them.
"use strict";

const POLL_MS = 1000;
const HISTORY = 120; // points on the chart: two minutes at one a second
const api = (path) => location.origin + "/api/v1/" + path;
const history = []; // {in, out} messages per second
let previous = null; // {time, in, out} of the last /broker reading

async function getJson(path) {
  const response = await fetch(api(path), { cache: "no-store", credentials: "same-origin" });
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

function text(id, value) {
  document.getElementById(id).textContent = value;
}

function cell(row, value) {
  const td = document.createElement("td");
  td.textContent = value === null || value === undefined ? "" : String(value);
  row.appendChild(td);
}

// Replaces a table's rows; `columns` turns one item into its cells.
function fillTable(id, items, columns, emptyText) {
  const body = document.querySelector("#" + id + " tbody");
  const rows = items.map((item) => {
    const row = document.createElement("tr");
    columns(item).forEach((value) => cell(row, value));
    return row;
  });
  if (rows.length === 0) {
    const row = document.createElement("tr");
    const td = document.createElement("td");
    td.className = "empty";
    td.colSpan = document.querySelectorAll("#" + id + " th").length;
    td.textContent = emptyText;
    row.appendChild(td);
    rows.push(row);
  }
  body.replaceChildren(...rows);
}

function duration(seconds) {
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24, m = Math.floor(seconds / 60) % 60;
  return d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m + "m " + (seconds % 60) + "s";
}

function drawChart() {
  const canvas = document.getElementById("rate-chart");
  const scale = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  canvas.width = width * scale;
  canvas.height = height * scale;
  const g = canvas.getContext("2d");
  g.scale(scale, scale);
  g.clearRect(0, 0, width, height);
  const top = Math.max(1, ...history.map((p) => Math.max(p.in, p.out)));
  g.fillStyle = "#667085";
  g.font = "11px system-ui, sans-serif";
  g.fillText(top.toFixed(top < 10 ? 1 : 0) + "/s", 4, 12);
  const x = (i) => width - (history.length - 1 - i) * (width / (HISTORY - 1));
  const y = (v) => height - 4 - (v / top) * (height - 20);
  for (const [key, color] of [["in", "#2f6fde"], ["out", "#e0812f"]]) {
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    history.forEach((p, i) => (i ? g.lineTo(x(i), y(p[key])) : g.moveTo(x(i), y(p[key]))));
    g.stroke();
  }
}

function updateRate(about) {
  const now = performance.now();
  const reading = { time: now, in: about.counters.publish_received, out: about.counters.publish_sent };
  if (previous && now > previous.time) {
    const seconds = (now - previous.time) / 1000;
    history.push({ in: (reading.in - previous.in) / seconds, out: (reading.out - previous.out) / seconds });
    if (history.length > HISTORY) history.shift();
    const last = history[history.length - 1];
    text("rate-in", last.in.toFixed(1));
    text("rate-out", last.out.toFixed(1));
    drawChart();
  }
  previous = reading;
}

async function poll() {
  const status = document.getElementById("status");
  try {
    const [about, clients, subscriptions] = await Promise.all([
      getJson("broker"), getJson("clients?limit=200"), getJson("subscriptions?limit=200"),
    ]);
    text("version", about.version);
    text("clients-count", about.counters.connected);
    text("subscriptions-count", about.subscriptions);
    text("retained-count", about.retained);
    text("uptime", duration(about.uptime_seconds));
    updateRate(about);
    fillTable("clients", clients.clients, (c) => [
      c.id, c.address, c.username, c.protocol_level === 5 ? "5" : c.protocol_level === 4 ? "3.1.1" : "3.1",
      c.keepalive, c.connected_since ? c.connected_since.replace("T", " ").replace("Z", "") : "", c.queued,
    ], "no client connected");
    fillTable("subscriptions", subscriptions.subscriptions, (s) => [s.client_id, s.filter, s.qos],
              "no subscription");
    status.textContent = "live";
    status.className = "status ok";
  } catch (error) {
    status.textContent = error.message;
    status.className = "status error";
  }
  setTimeout(poll, POLL_MS);
}

// Listeners and bridges change only with a restart: read once.
async function readConfig() {
  try {
    const [listeners, bridges] = await Promise.all([getJson("listeners"), getJson("bridges")]);
    fillTable("listeners", listeners.listeners, (l) => [l.port, l.address || "*", l.protocol, l.tls ? "yes" : "no"],
              "none");
    fillTable("bridges", bridges.bridges, (b) => [
      b.name, b.addresses[0], b.topics.map((t) => t.pattern + " " + t.direction).join(", "), b.state ?? "unknown",
    ], "no bridge configured");
  } catch (error) {
    /* poll() shows the error */
  }
}

readConfig();
poll();
