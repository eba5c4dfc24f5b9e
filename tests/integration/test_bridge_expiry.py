"""MQTT 5 Message Expiry across a bridge (docs/bridge.md, "What is queued, where, and for how long"): a message
that waited for the remote goes with what is left of its expiry, and one that expired meanwhile is dropped,
not sent.

The one sleep here lets the expiry run out (time passing is what is tested); no wait synchronises on it.
"""
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from brokers import start_culex
from conftest import free_port
from mqtt_peers import WAIT, connected
from test_bridge import BRIDGE_UP, bridge_config, site_dirs

SHORT, LONG, WAITED = 2, 60, 3  # seconds: two expiries, and how long the messages wait at least


def publish(client, topic, payload, expiry=None):
    """A QoS 1 MQTT 5 PUBLISH, acknowledged by the local broker."""
    properties = Properties(PacketTypes.PUBLISH)
    if expiry is not None:
        properties.MessageExpiryInterval = expiry
    info = client.client.publish(topic, payload, 1, False, properties)
    info.wait_for_publish(timeout=WAIT)
    assert info.is_published()


def test_queued_messages_keep_their_remaining_expiry_and_expired_ones_are_dropped(tmp_path):
    port = free_port()
    remote_dir, local_dir = site_dirs(tmp_path)
    remote = start_culex(remote_dir, listener=f"listener {port} 127.0.0.1")
    # Lazy with threshold 3: the two first messages wait in the bridge, unsent, until a third comes.
    local = start_culex(local_dir, "threads 1\n" + bridge_config(
        port, ["e/# out 1"], extra="bridge_protocol_version mqttv50\nstart_type lazy\nthreshold 3\n"))
    try:
        local.log.wait_for(r"Bridge b waits for 3 queued messages before it connects \(start_type lazy\)\.")
        keeper = connected(port, "keeper", protocol=mqtt.MQTTv5)
        keeper.subscribe("e/#", 1)
        pub = connected(local.port, "local-pub", protocol=mqtt.MQTTv5)
        publish(pub, "e/short", b"expires while it waits", expiry=SHORT)
        publish(pub, "e/long", b"waits, and goes", expiry=LONG)
        published = time.monotonic()
        time.sleep(WAITED)  # past SHORT: not a synchronisation, the time the expiry needs to pass
        publish(pub, "e/none", b"never expires")
        local.log.wait_for(BRIDGE_UP.format("b", port, "site1"))
        local.log.wait_for(r"Bridge b: a message on 'e/short' expired while it waited for the remote: dropped\.")
        first, second = keeper.next_message(), keeper.next_message()
        assert (first.topic, second.topic) == ("e/long", "e/none")
        # It waited WAITED seconds at least: what is left is no more than LONG - WAITED (each broker rounds
        # up to whole seconds, from what it was given). Sent as it was published, it would say LONG.
        assert time.monotonic() - published >= WAITED
        expiry = first.properties.MessageExpiryInterval
        assert 0 < expiry <= LONG - WAITED, expiry
        assert not hasattr(second.properties, "MessageExpiryInterval")
        assert keeper.no_message()
        keeper.disconnect()
        pub.disconnect()
    finally:
        local.stop()
        remote.stop()
