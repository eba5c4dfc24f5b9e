"""mosquitto.conf's options on what a listener's clients may do, with paho clients against the real broker:
max_qos, max_topic_alias, use_username_as_clientid, and the global clientid_prefixes. (The bytes of each
answer are compared with Mosquitto's in tests/differential: option-max-qos-*, option-max-topic-alias-*,
option-use-username-as-clientid-*, option-clientid-prefixes-*.)"""
import paho.mqtt.client as mqtt

from brokers import start_culex
from mqtt_peers import WAIT, PahoClient, V5Client, connected


def test_max_qos_is_told_to_mqtt5_and_granted_at_most(tmp_path):
    with start_culex(tmp_path, "max_qos 1\n") as broker:
        c = V5Client(broker.port, "mq-v5")
        assert c.connack_properties.MaximumQoS == 1
        assert c.subscribe("mq/#", 2) == [1]
        c.close()
        old = connected(broker.port, "mq-v311")
        assert old.subscribe("mq/#", 2) == (1,)
        old.client.publish("mq/t", b"x", 2)  # above max_qos: the broker ends the connection
        assert old.disconnects.get(timeout=WAIT) != 0
        broker.log.wait_for(r"mq-v311.*PUBLISH at QoS 2 on a listener with max_qos 1")


def test_max_topic_alias_is_told_in_connack(tmp_path):
    with start_culex(tmp_path, "max_topic_alias 3\n") as broker:
        c = V5Client(broker.port, "alias-v5")
        assert c.connack_properties.TopicAliasMaximum == 3
        c.close()


def test_use_username_as_clientid_one_user_one_session(tmp_path):
    with start_culex(tmp_path, "use_username_as_clientid true\n") as broker:
        first = connected(broker.port, "device-a", username="alice")
        second = connected(broker.port, "device-b", username="alice")
        assert first.disconnects.get(timeout=WAIT) != 0, "the second 'alice' took the session over"
        broker.log.wait_for(r"New client connected from \S+ as alice \(p2, c1, k60, u'alice'\)\.")
        anonymous = PahoClient(broker.port, "device-c")
        assert anonymous.connack()[1] == 5  # not authorised: no user name to name the session
        second.disconnect()


def test_clientid_prefixes_refuse_other_ids(tmp_path):
    with start_culex(tmp_path, "clientid_prefixes ok-\n") as broker:
        connected(broker.port, "ok-sensor").disconnect()
        refused = PahoClient(broker.port, "sensor", protocol=mqtt.MQTTv311)
        assert refused.connack()[1] == 5
        broker.log.wait_for(r"client id 'sensor' does not start with clientid_prefixes 'ok-'")
