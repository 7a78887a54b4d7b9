// MQTT.js 5 as an MQTT 5.0 client, for the codec's capture test
// (tests/tests/v5_peers.rs): connect with properties, subscribe with every
// option and a Subscription Identifier, publish at QoS 2 with properties to
// itself, unsubscribe, disconnect with a reason. Usage: node mqttjs_v5.mjs PORT
import mqtt from 'mqtt'

const port = Number(process.argv[2])
const done = setTimeout(() => { console.error('timed out'); process.exit(2) }, 10000)
const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
  protocolVersion: 5,
  clientId: 'mqttjs5',
  reconnectPeriod: 0,
  properties: {
    sessionExpiryInterval: 30,
    receiveMaximum: 5,
    maximumPacketSize: 65536,
    topicAliasMaximum: 4,
    requestProblemInformation: true,
    userProperties: { curso: 'mqtt' }
  },
  will: {
    topic: 'lab/js/will',
    payload: Buffer.from('off'),
    qos: 1,
    retain: false,
    properties: { willDelayInterval: 5, contentType: 'text/plain', userProperties: { w: '1' } }
  }
})
c.on('error', (e) => { console.error(String(e)); process.exit(1) })
c.on('connect', () => {
  c.subscribe('lab/js', { qos: 2, nl: false, rap: true, rh: 1, properties: { subscriptionIdentifier: 7, userProperties: { s: 'x' } } }, (err) => {
    if (err) { console.error(String(err)); process.exit(1) }
    c.publish('lab/js', 'oi', {
      qos: 2,
      properties: {
        payloadFormatIndicator: true,
        messageExpiryInterval: 30,
        contentType: 'text/plain',
        responseTopic: 'lab/js/reply',
        correlationData: Buffer.from([1, 2, 3]),
        userProperties: { p: 'q' }
      }
    })
  })
})
c.on('message', () => {
  c.unsubscribe('lab/js', { properties: { userProperties: { u: 'v' } } }, () => {
    c.end(false, { reasonCode: 0, properties: { sessionExpiryInterval: 0 } }, () => {
      clearTimeout(done)
      process.exit(0)
    })
  })
})
