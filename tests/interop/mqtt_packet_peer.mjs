// A differential-test peer: npm `mqtt-packet` (the codec of MQTT.js), an MQTT
// implementation no one in this project wrote. One JSON request per line on
// stdin, one JSON answer per line on stdout:
//
//   {"op":"parse","hex":"3012..."}     -> {"packets":[<packet>...]} | {"error":"..."}
//   {"op":"generate","packet":<packet>} -> {"hex":"..."}             | {"error":"..."}
//   {"op":"parse5","hex":"3012..."}    -> {"count":n,"regen":["..."|null...]} | {"error":"..."}
//
// parse5 reads MQTT 5.0 (mqtt-packet's own objects, properties included) and
// writes each packet back with generate(), so bytes can be compared without a
// neutral shape for 5.0's properties.
//
// <packet> is the neutral shape both sides agree on (binary fields as hex):
// mqtt-packet's own object with Buffers written as hex and only MQTT 3.1.1 fields.
import { createInterface } from 'node:readline'
import mqtt from 'mqtt-packet'

const hex = (b) => Buffer.from(b).toString('hex')
const buf = (h) => Buffer.from(h, 'hex')

// mqtt-packet object -> neutral JSON.
function neutral (p) {
  switch (p.cmd) {
    case 'connect': {
      const out = {
        cmd: p.cmd,
        protocolId: p.protocolId,
        protocolVersion: p.protocolVersion,
        clean: p.clean,
        keepalive: p.keepalive,
        clientId: p.clientId
      }
      if (p.will) {
        out.will = {
          topic: p.will.topic,
          payload: hex(p.will.payload),
          qos: p.will.qos,
          retain: p.will.retain
        }
      }
      if (p.username !== undefined) out.username = p.username
      if (p.password !== undefined) out.password = hex(p.password)
      return out
    }
    case 'connack':
      return { cmd: p.cmd, sessionPresent: p.sessionPresent, returnCode: p.returnCode }
    case 'publish': {
      const out = { cmd: p.cmd, qos: p.qos, dup: p.dup, retain: p.retain, topic: p.topic, payload: hex(p.payload) }
      if (p.qos > 0) out.messageId = p.messageId
      return out
    }
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp': case 'unsuback':
      return { cmd: p.cmd, messageId: p.messageId }
    case 'subscribe':
      return { cmd: p.cmd, messageId: p.messageId, subscriptions: p.subscriptions.map((s) => ({ topic: s.topic, qos: s.qos })) }
    case 'suback':
      return { cmd: p.cmd, messageId: p.messageId, granted: p.granted }
    case 'unsubscribe':
      return { cmd: p.cmd, messageId: p.messageId, unsubscriptions: p.unsubscriptions }
    case 'pingreq': case 'pingresp': case 'disconnect':
      return { cmd: p.cmd }
    default:
      return { cmd: p.cmd, unexpected: true }
  }
}

// Neutral JSON -> the object mqtt-packet's generate() takes.
function native (p) {
  const out = { ...p }
  if (p.cmd === 'connect') {
    if (p.will) out.will = { ...p.will, payload: buf(p.will.payload) }
    if (p.password !== undefined) out.password = buf(p.password)
  }
  if (p.cmd === 'publish') out.payload = buf(p.payload)
  return out
}

function parse (h) {
  const parser = mqtt.parser({ protocolVersion: 4 })
  const packets = []
  let error = null
  parser.on('packet', (p) => packets.push(neutral(p)))
  parser.on('error', (e) => { error = error || String(e.message || e) })
  const left = parser.parse(buf(h))
  if (error) return { error }
  if (left !== 0) return { error: `${left} bytes left unparsed`, packets }
  return { packets }
}

function parse5 (h) {
  const parser = mqtt.parser({ protocolVersion: 5 })
  const packets = []
  let error = null
  parser.on('packet', (p) => packets.push(p))
  parser.on('error', (e) => { error = error || String(e.message || e) })
  const left = parser.parse(buf(h))
  if (error) return { error }
  if (left !== 0) return { error: `${left} bytes left unparsed` }
  const regen = packets.map((p) => {
    try {
      return hex(mqtt.generate(p, { protocolVersion: 5 }))
    } catch (e) {
      return null
    }
  })
  return { count: packets.length, regen }
}

function generate (p) {
  try {
    return { hex: hex(mqtt.generate(native(p))) }
  } catch (e) {
    return { error: String(e.message || e) }
  }
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of rl) {
  if (!line.trim()) continue
  let answer
  try {
    const req = JSON.parse(line)
    answer = req.op === 'parse' ? parse(req.hex) : req.op === 'parse5' ? parse5(req.hex) : generate(req.packet)
  } catch (e) {
    answer = { error: `peer: ${e.message || e}` }
  }
  process.stdout.write(JSON.stringify(answer) + '\n')
}
