// MQTT.js 5 (protocolVersion 5) against a broker, for tests/tests/broker5_peers.rs:
// an assigned client identifier, topic aliases both ways,
// a subscription identifier and user properties on what comes back, PUBACK
// 0x10 for a topic nobody reads, UNSUBACK 0x11. Prints one JSON object.
// Usage: node mqttjs_broker5.mjs PORT
import mqtt from 'mqtt'

const port = Number(process.argv[2])
const done = setTimeout(() => { console.error('timed out'); process.exit(2) }, 10000)
const out = {}
const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
  protocolVersion: 5,
  clientId: '',
  clean: true,
  properties: { topicAliasMaximum: 5 },
  reconnectPeriod: 0
})
c.on('error', (e) => { console.error(String(e)); process.exit(1) })
const got = []
const sent = []
const acks = {}
const received = []
c.on('packetsend', (p) => {
  if (p.cmd === 'publish') sent.push({ topic: p.topic, alias: (p.properties || {}).topicAlias || null })
})
c.on('packetreceive', (p) => {
  // The remaining length as parsed: an alias alone is shorter than the topic.
  if (p.cmd === 'publish') received.push(p.length)
  if (p.cmd === 'puback') (acks.puback = acks.puback || []).push(p.reasonCode)
  if (p.cmd === 'unsuback') acks.unsuback = p.granted
})
c.on('message', (topic, payload, packet) => {
  got.push({ topic, payload: payload.toString(), props: packet.properties || {} })
})
c.on('connect', async (connack) => {
  out.assigned = (connack.properties || {}).assignedClientIdentifier || null
  out.topicAliasMaximum = (connack.properties || {}).topicAliasMaximum
  await c.subscribeAsync('js/#', { qos: 1, properties: { subscriptionIdentifier: 3 } })
  // The topic once with alias 1, then alias 1 alone.
  await c.publishAsync('js/alias/topic', 'one', { qos: 1, properties: { topicAlias: 1, userProperties: { k: 'one' } } })
  for (const m of ['two', 'three']) {
    await c.publishAsync('', m, { qos: 1, properties: { topicAlias: 1, userProperties: { k: m } } })
  }
  await c.publishAsync('nobody/reads', 'x', { qos: 1 })
  await c.unsubscribeAsync('never/subscribed')
  await new Promise((resolve) => setTimeout(resolve, 300))
  out.got = got
  out.sent = sent
  out.acks = acks
  out.received = received
  await c.endAsync()
  clearTimeout(done)
  console.log(JSON.stringify(out))
})
