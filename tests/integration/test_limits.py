"""Limits on what clients may make the broker hold (issue 11): subscriptions per client
(max_subscriptions_per_client, culex's own)."""
from brokers import start_culex
from mqtt_peers import V5Client, connected


def test_subscriptions_past_the_per_client_limit_are_refused(tmp_path):
    b = start_culex(tmp_path, "max_subscriptions_per_client 3\n")
    try:
        c = connected(b.port, "lim")
        for i in range(3):
            assert c.subscribe(f"lim/{i}", 1) == (1,)
        assert c.subscribe("lim/3", 1) == (128,)  # 0x80: refused
        b.log.wait_for(r"Denied SUBSCRIBE from lim to 'lim/3': it holds 3 subscriptions, the limit set by "
                       r"max_subscriptions_per_client\.")
        assert c.subscribe("lim/0", 0) == (0,)  # replacing one it holds is not a new one
        v5 = V5Client(b.port, "lim5")
        assert v5.subscribe("a", 1) == [1]
        assert v5.subscribe("b", 1) == [1]
        assert v5.subscribe("c", 1) == [1]
        assert v5.subscribe("d", 1) == [0x97]  # Quota exceeded
        # The refused filter delivers nothing; the held ones still do.
        pub = connected(b.port, "lim-pub")
        pub.publish("lim/3", b"refused", qos=1)
        pub.publish("lim/2", b"held", qos=1)
        assert c.next_message().payload == b"held"
        for client in (c, pub):
            client.disconnect()
        v5.close()
    finally:
        assert b.stop() == 0, b.log.text()[-5000:]
