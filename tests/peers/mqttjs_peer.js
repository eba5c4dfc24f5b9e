// MQTT.js driven by pytest (tests/integration/mqttjs.py): one node process holds any number of named clients.
// Commands arrive as JSON lines on stdin, events leave as JSON lines on stdout, so a test starts node once and
// waits on events with its own bounded timeouts (node start-up costs about a third of a second).
//
// Command: {"op": "connect"|"subscribe"|"unsubscribe"|"publish"|"release"|"end"|"destroy"|"exit",
//           "name": CLIENT, "seq": N, ...}
// Event:   {"ev": "connack"|"suback"|"unsuback"|"published"|"message"|"held"|"released"|"disconnect"|"error"
//           |"close"|"ended"|"done", "name": CLIENT, "seq": N (the command's, when it answers one), ...}
// Binary values travel as {"$b64": "..."} both ways (payloads, correlation data); file contents for TLS options
// as {"$file": PATH}.
"use strict";

const fs = require("fs");
const readline = require("readline");
const mqtt = require("mqtt");

const clients = new Map();

function emit(event) {
  process.stdout.write(JSON.stringify(event, encode) + "\n");
}

// Buffers become {"$b64"}; MQTT.js hands Buffers to toJSON first, which gives {type: "Buffer", data: [...]}.
function encode(key, value) {
  if (value && value.type === "Buffer" && Array.isArray(value.data)) {
    return { $b64: Buffer.from(value.data).toString("base64") };
  }
  return value;
}

function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== "object") return value;
  if (typeof value.$b64 === "string") return Buffer.from(value.$b64, "base64");
  if (typeof value.$file === "string") return fs.readFileSync(value.$file);
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k] = decode(v);
  return out;
}

function errorEvent(name, seq, err) {
  return { ev: "error", name, seq, message: String(err && err.message), code: err && err.code };
}

function connect(cmd) {
  const { name, url } = cmd;
  // No reconnects: a test decides when a client comes back, and a refused CONNECT must stay refused.
  const options = Object.assign({ reconnectPeriod: 0, connectTimeout: 10000 }, decode(cmd.options || {}));
  const held = [];
  if (cmd.holdAcks) {
    // QoS 1/2 acknowledgements wait for a "release" command, so a test can see how many messages the broker
    // sends before it gets one back (Receive Maximum). MQTT.js handles one incoming packet at a time, so the
    // next message is reported only after a release; the broker's log shows what it sent meanwhile.
    options.customHandleAcks = (topic, payload, packet, ack) => {
      held.push(ack);
      emit({ ev: "held", name, topic, messageId: packet.messageId });
    };
  }
  const client = mqtt.connect(url, options);
  client.heldAcks = held;
  clients.set(name, client);
  client.on("connect", (packet) => {
    emit({ ev: "connack", name, sessionPresent: packet.sessionPresent, reasonCode: packet.reasonCode || 0,
           properties: packet.properties || {} });
  });
  client.on("message", (topic, payload, packet) => {
    emit({ ev: "message", name, topic, payload, qos: packet.qos, retain: packet.retain, dup: packet.dup,
           properties: packet.properties || {} });
  });
  // A DISCONNECT the server sent (MQTT 5): its reason code and properties.
  client.on("disconnect", (packet) => {
    emit({ ev: "disconnect", name, reasonCode: packet.reasonCode || 0, properties: packet.properties || {} });
  });
  client.on("error", (err) => emit(errorEvent(name, undefined, err)));
  client.on("close", () => emit({ ev: "close", name }));
}

function withClient(cmd, action) {
  const client = clients.get(cmd.name);
  if (!client) {
    emit({ ev: "error", name: cmd.name, seq: cmd.seq, message: `no client named ${cmd.name}` });
    return;
  }
  action(client);
}

function handle(cmd) {
  const { name, seq } = cmd;
  switch (cmd.op) {
    case "connect":
      connect(cmd);
      break;
    case "subscribe":
      withClient(cmd, (c) => c.subscribe(decode(cmd.topics), decode(cmd.options || {}), (err, granted, packet) => {
        if (err) return emit(errorEvent(name, seq, err));
        emit({ ev: "suback", name, seq, granted, properties: (packet && packet.properties) || {} });
      }));
      break;
    case "unsubscribe":
      withClient(cmd, (c) => c.unsubscribe(cmd.topics, decode(cmd.options || {}), (err) => {
        if (err) return emit(errorEvent(name, seq, err));
        emit({ ev: "unsuback", name, seq });
      }));
      break;
    case "publish":
      withClient(cmd, (c) => c.publish(cmd.topic, decode(cmd.payload), decode(cmd.options || {}), (err, packet) => {
        if (err) return emit(errorEvent(name, seq, err));
        emit({ ev: "published", name, seq, reasonCode: (packet && packet.reasonCode) || 0 });
      }));
      break;
    case "release":
      withClient(cmd, (c) => {
        const ack = c.heldAcks.shift();
        if (!ack) return emit({ ev: "error", name, seq, message: "no acknowledgement is held" });
        ack(null, 0);
        emit({ ev: "released", name, seq });
      });
      break;
    case "end":  // DISCONNECT then close; options may carry a reason code and properties.
      withClient(cmd, (c) => c.end(false, decode(cmd.options || {}), () => emit({ ev: "ended", name, seq })));
      break;
    case "destroy":  // The socket closes without DISCONNECT, as a crashing device's would.
      withClient(cmd, (c) => {
        c.stream.destroy();
        c.end(true, () => emit({ ev: "ended", name, seq }));
      });
      break;
    case "exit":
      for (const c of clients.values()) c.end(true);
      emit({ ev: "done", seq });
      process.exit(0);
      break;
    default:
      emit({ ev: "error", name, seq, message: `unknown op ${cmd.op}` });
  }
}

const input = readline.createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (!line.trim()) return;
  try {
    handle(JSON.parse(line));
  } catch (err) {
    emit({ ev: "error", message: `bad command: ${err.message}` });
  }
});
// pytest went away: nothing is left to drive the clients.
input.on("close", () => process.exit(0));
emit({ ev: "ready", version: require("mqtt/package.json").version });
