# paho-mqtt 2.1 with MQTTv5 against a broker (tests/tests/broker5_peers.rs):
# each 5.0 feature as a client no one here wrote sees it. Prints one JSON
# object. Usage: python3 paho_broker5.py PORT
import json, sys, threading, time
import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.subscribeoptions import SubscribeOptions

port = int(sys.argv[1])
out = {}

def props(kind, **kw):
    p = Properties(kind)
    for k, v in kw.items():
        setattr(p, k, v)
    return p

def client(cid, manual_ack=False):
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=cid,
                    protocol=mqtt.MQTTv5, manual_ack=manual_ack)
    c.got, c.acks = [], []
    c.connected, c.subscribed, c.unsubscribed = (threading.Event(), threading.Event(),
                                                 threading.Event())
    def on_connect(cl, u, flags, rc, p=None):
        cl.connack = {"rc": rc.value, "present": bool(flags.session_present),
                      "props": p.json() if p else {}}
        cl.connected.set()
    def on_subscribe(cl, u, mid, rcs, p=None):
        cl.granted = [r.value for r in rcs]
        cl.subscribed.set()
    def on_unsubscribe(cl, u, mid, rcs, p=None):
        cl.unsub = [r.value for r in rcs]
        cl.unsubscribed.set()
    def on_message(cl, u, m):
        p = m.properties.json() if m.properties else {}
        cl.got.append({"topic": m.topic, "payload": m.payload.decode(), "qos": m.qos,
                       "retain": bool(m.retain), "props": p, "mid": m.mid,
                       "at": time.monotonic()})
    def on_publish(cl, u, mid, rc, p=None):
        cl.acks.append(rc.value)
    c.on_connect, c.on_subscribe, c.on_unsubscribe = on_connect, on_subscribe, on_unsubscribe
    c.on_message, c.on_publish = on_message, on_publish
    return c

def start(c, clean=True, **connect_props):
    p = props(PacketTypes.CONNECT, **connect_props) if connect_props else None
    c.connect("127.0.0.1", port, keepalive=60, clean_start=clean, properties=p)
    c.loop_start()
    assert c.connected.wait(10), "no CONNACK"
    return c

def subscribe(c, topic, qos=1, sub_id=None, **opts):
    c.subscribed.clear()
    p = props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=sub_id) if sub_id else None
    c.subscribe(topic, options=SubscribeOptions(qos=qos, **opts), properties=p)
    assert c.subscribed.wait(10), "no SUBACK"
    return c.granted

def publish(c, topic, payload, qos=1, retain=False, **kw):
    p = props(PacketTypes.PUBLISH, **kw) if kw else None
    c.publish(topic, payload, qos=qos, retain=retain, properties=p).wait_for_publish(10)

def stop(c):
    c.disconnect()
    c.loop_stop()

def settle(s=0.4):
    time.sleep(s)

# Assigned Client Identifier, and what CONNACK announces.
anon = start(client(""))
out["connack"] = anon.connack
stop(anon)

pub = start(client("paho5-pub"))
# PUBACK 0x10: nobody subscribes.
publish(pub, "nobody/here", "x", qos=1)
out["puback_nobody"] = pub.acks[-1]

# Request/response: Response Topic and Correlation Data reach the responder,
# which answers on the Response Topic with the same Correlation Data.
responder = start(client("paho5-responder"))
subscribe(responder, "svc/req")
def answer(cl, u, m):
    p = props(PacketTypes.PUBLISH, CorrelationData=m.properties.CorrelationData)
    cl.publish(m.properties.ResponseTopic, b"pong:" + m.payload, qos=1, properties=p)
responder.on_message = answer
requester = start(client("paho5-requester"))
subscribe(requester, "svc/resp/paho5")
publish(requester, "svc/req", "ping", qos=1, ResponseTopic="svc/resp/paho5",
        CorrelationData=b"\x01corr", UserProperty=[("a", "1"), ("b", "2"), ("a", "3")],
        ContentType="text/plain", PayloadFormatIndicator=1)
settle()
out["response"] = [(m["payload"], m["props"].get("CorrelationData")) for m in requester.got]
stop(responder); stop(requester)

# Properties forwarded unchanged and in order.
watch = start(client("paho5-watch"))
subscribe(watch, "props/#")
publish(pub, "props/x", "m", qos=1, UserProperty=[("z", "1"), ("a", "2"), ("z", "3")],
        ContentType="application/json", ResponseTopic="r/t", CorrelationData=b"cd",
        PayloadFormatIndicator=1, MessageExpiryInterval=100)
settle()
out["forwarded"] = watch.got[0]["props"]
stop(watch)

# Topic alias from the client: the topic once, then the alias alone.
alias_watch = start(client("paho5-alias-watch"))
subscribe(alias_watch, "alias/topic")
aliaser = start(client("paho5-aliaser"))
publish(aliaser, "alias/topic", "first", qos=1, TopicAlias=1)
publish(aliaser, "", "second", qos=1, TopicAlias=1)
settle()
out["alias"] = [(m["topic"], m["payload"]) for m in alias_watch.got]
stop(aliaser); stop(alias_watch)

# Subscription options and identifiers.
me = start(client("paho5-me"))
subscribe(me, "nl/t", noLocal=True)
publish(me, "nl/t", "own", qos=1)
publish(pub, "nl/t", "other", qos=1)
settle()
out["no_local"] = [m["payload"] for m in me.got]
me.got.clear()
publish(pub, "rap/t", "kept", qos=1, retain=True)
subscribe(me, "rap/t", retainAsPublished=True, retainHandling=SubscribeOptions.RETAIN_DO_NOT_SEND)
publish(pub, "rap/t", "live", qos=1, retain=True)
settle()
out["rap"] = [(m["payload"], m["retain"]) for m in me.got]
me.got.clear()
subscribe(me, "ids/#", sub_id=5)
subscribe(me, "ids/+", sub_id=9)
publish(pub, "ids/x", "both", qos=1)
settle()
out["ids"] = [m["props"].get("SubscriptionIdentifier") for m in me.got]
me.unsubscribed.clear()
me.unsubscribe("never/subscribed")
assert me.unsubscribed.wait(10)
out["unsuback"] = me.unsub
stop(me)

# A shared subscription: each message to one member, taking turns.
a = start(client("paho5-share-a"))
b = start(client("paho5-share-b"))
subscribe(a, "$share/grp/jobs/#")
subscribe(b, "$share/grp/jobs/#")
for i in range(6):
    publish(pub, "jobs/1", "j%d" % i, qos=1)
settle()
out["shared"] = [sorted(m["payload"] for m in a.got), sorted(m["payload"] for m in b.got)]
stop(a); stop(b)

# Receive Maximum 2: never more than 2 unacknowledged QoS 1 PUBLISHes.
slow = start(client("paho5-slow", manual_ack=True), ReceiveMaximum=2)
subscribe(slow, "rm/t")
for i in range(5):
    publish(pub, "rm/t", "r%d" % i, qos=1)
settle(0.6)
out["rm_before_ack"] = len(slow.got)
for _ in range(10):
    for m in list(slow.got):
        slow.ack(m["mid"], 1)
    settle(0.2)
out["rm_after_ack"] = len(slow.got)
stop(slow)

# Session expiry: a session that outlives its connection by 2 s.
s1 = start(client("paho5-session"), clean=False, SessionExpiryInterval=2)
subscribe(s1, "se/t")
stop(s1)
# The DISCONNECT travels on s1's socket and the PUBLISH on pub's: wait until the
# broker has taken the first, or the message may reach s1 still connected.
settle()
publish(pub, "se/t", "while-away", qos=1)
s2 = start(client("paho5-session"), clean=False, SessionExpiryInterval=2)
settle()
out["session_resumed"] = [s2.connack["present"], [m["payload"] for m in s2.got]]
stop(s2)
settle(2.5)
s3 = start(client("paho5-session"), clean=False, SessionExpiryInterval=2)
out["session_expired_present"] = s3.connack["present"]
stop(s3)

# Message expiry: a queued message that expires is never delivered.
m1 = start(client("paho5-expiry"), clean=False, SessionExpiryInterval=60)
subscribe(m1, "me/t")
stop(m1)
# As above: were "short" sent to m1 before its DISCONNECT arrived, its delivery
# would have started, and the standard then has the broker resend it on
# reconnection (MQTT-4.4.0-1) even once expired; only a message still queued
# must be deleted (MQTT-3.3.2-5). mosquitto 2.0.11 deletes both.
settle()
publish(pub, "me/t", "short", qos=1, MessageExpiryInterval=1)
publish(pub, "me/t", "long", qos=1, MessageExpiryInterval=60)
settle(2.2)
m2 = start(client("paho5-expiry"), clean=False, SessionExpiryInterval=60)
settle()
out["expiry"] = [(m["payload"], m["props"].get("MessageExpiryInterval")) for m in m2.got]
stop(m2)

# Will Delay Interval: the will waits 1 s after the socket dies.
watcher = start(client("paho5-will-watch"))
subscribe(watcher, "will/t")
dying = client("paho5-dying")
dying.will_set("will/t", "gone", qos=1,
               properties=props(PacketTypes.WILLMESSAGE, WillDelayInterval=1))
start(dying, SessionExpiryInterval=30)
dying.loop_stop()
t0 = time.monotonic()
dying.socket().close()
# mosquitto 2.0.11 checks delayed wills on a periodic tick, late by up to a
# few seconds on a busy machine: wait for the will up to 5 s, then a little
# more for a second one that must not come.
deadline = t0 + 5.0
while not watcher.got and time.monotonic() < deadline:
    time.sleep(0.05)
settle(0.5)
out["will_delay"] = [round(m["at"] - t0, 1) for m in watcher.got]
stop(watcher)
stop(pub)
print(json.dumps(out), flush=True)
