// MQTT.js 5 authenticating with SCRAM-SHA-256 (RFC 5802/7677) through MQTT 5.0
// enhanced authentication, for tests/tests/broker_auth.rs. The SCRAM client
// side is written here with node's crypto only (pbkdf2, HMAC, SHA-256), so it
// shares no code with the broker it talks to.
//
// Usage: node mqttjs_scram.mjs PORT MODE USER PASSWORD [REAUTH_PASSWORD]
//   MODE ok      connect, check the server's signature in CONNACK, then
//                re-authenticate (AUTH 0x19) with REAUTH_PASSWORD (default:
//                PASSWORD), then publish to itself and disconnect
//   MODE method  connect with the method SCRAM-SHA-1 (not offered)
// Each event is one JSON line on stdout.
import crypto from 'node:crypto'
import mqtt from 'mqtt'

const [port, mode, user, password, reauthPassword = password] = process.argv.slice(2)
const METHOD = mode === 'method' ? 'SCRAM-SHA-1' : 'SCRAM-SHA-256'
const say = (o) => console.log(JSON.stringify(o))
setTimeout(() => { say({ event: 'timeout' }); process.exit(2) }, 10000)

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest()
const sha256 = (data) => crypto.createHash('sha256').update(data).digest()

// One SCRAM exchange on the client side: first() gives the client-first,
// final(serverFirst) the client-final, verify(serverFinal) checks the server.
function scram (name, pass) {
  const nonce = crypto.randomBytes(18).toString('base64')
  const bare = `n=${name.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${nonce}`
  let expected = null
  return {
    first: () => Buffer.from(`n,,${bare}`),
    final (serverFirst) {
      const text = serverFirst.toString()
      const attrs = Object.fromEntries(text.split(',').map((kv) => [kv[0], kv.slice(2)]))
      if (!attrs.r.startsWith(nonce) || attrs.r === nonce) throw new Error('server nonce does not extend ours')
      const salted = crypto.pbkdf2Sync(pass, Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256')
      const clientKey = hmac(salted, 'Client Key')
      const withoutProof = `c=biws,r=${attrs.r}`
      const authMessage = `${bare},${text},${withoutProof}`
      const signature = hmac(sha256(clientKey), authMessage)
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]))
      expected = `v=${hmac(hmac(salted, 'Server Key'), authMessage).toString('base64')}`
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)
    },
    verify: (serverFinal) => serverFinal !== undefined && serverFinal.toString() === expected
  }
}

let exchange = scram(user, password)
let phase = 'connect'
const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
  protocolVersion: 5,
  clientId: 'mqttjs-scram',
  reconnectPeriod: 0,
  properties: { authenticationMethod: METHOD, authenticationData: exchange.first() }
})
const auth = (reasonCode, data) => ({
  cmd: 'auth',
  reasonCode,
  properties: { authenticationMethod: METHOD, authenticationData: data }
})
c.handleAuth = (packet, cb) => {
  const data = packet.properties.authenticationData
  say({ event: 'auth', phase, reasonCode: packet.reasonCode })
  if (packet.reasonCode === 0x18) {
    try {
      cb(null, auth(0x18, exchange.final(data)))
    } catch (e) {
      cb(e)
    }
  } else if (packet.reasonCode === 0x00) {
    // Re-authentication succeeded: AUTH 0x00 carries the server-final.
    say({ event: 'reauthenticated', verified: exchange.verify(data) })
    cb(null)
    c.subscribe('lab/scram', { qos: 1 }, () => c.publish('lab/scram', 'ok', { qos: 1 }))
  } else {
    cb(new Error(`unexpected AUTH ${packet.reasonCode}`))
  }
}
c.on('connect', (connack) => {
  const p = connack.properties || {}
  say({
    event: 'connack',
    reasonCode: connack.reasonCode,
    method: p.authenticationMethod,
    verified: exchange.verify(p.authenticationData)
  })
  phase = 'reauth'
  exchange = scram(user, reauthPassword)
  c._sendPacket(auth(0x19, exchange.first()))
})
c.on('message', (topic, payload) => {
  say({ event: 'message', topic, payload: payload.toString() })
  c.end()
})
c.on('disconnect', (packet) => say({ event: 'disconnect', reasonCode: packet.reasonCode }))
c.on('error', (e) => say({ event: 'error', code: e.code, message: e.message }))
c.on('close', () => { say({ event: 'close' }); process.exit(0) })
