"""`log_dest topic`: log lines on $SYS/broker/log/<severity> (Mosquitto's E, W, N, I, M/subscribe), never
debug lines, never a line about publishing a line, and a flood bounded by the queue (the excess is dropped and
said so on .../W)."""
from brokers import start_culex
from mqtt_peers import WAIT, connected

CONFIG = "sys_interval 0\nthreads 1\nlog_dest topic\n"


def next_on(client, prefix):
    """The next message whose topic starts with `prefix` (others are skipped; the wait is bounded)."""
    while True:
        message = client.next_message()
        if message.topic.startswith(prefix):
            return message


def test_log_lines_reach_a_subscriber(tmp_path):
    with start_culex(tmp_path, CONFIG) as broker:
        watcher = connected(broker.port, "log-watcher")
        watcher.subscribe("$SYS/broker/log/#", 0)
        line = next_on(watcher, "$SYS/broker/log/M/subscribe").payload.decode()
        assert "log-watcher" in line and "$SYS/broker/log/#" in line
        probe = connected(broker.port, "log-probe")
        while True:
            message = next_on(watcher, "$SYS/broker/log/")
            text = message.payload.decode()
            # Debug lines (every packet, the deliveries of these very messages) are never published.
            assert "Sending PUBLISH" not in text and "Received PUBLISH" not in text, text
            if "New client connected" in text and "log-probe" in text:
                assert message.topic == "$SYS/broker/log/N"
                break
        assert not message.retain
        # A client cannot publish into the log.
        probe.publish("$SYS/broker/log/E", b"forged", 1)
        probe.disconnect()
        while True:
            text = next_on(watcher, "$SYS/broker/log/").payload.decode()
            assert text != "forged"
            if "log-probe" in text and "disconnected" in text:
                break
        watcher.disconnect()


def test_a_flood_is_bounded_and_said_so(tmp_path):
    with start_culex(tmp_path, CONFIG) as broker:
        watcher = connected(broker.port, "log-watcher")
        watcher.subscribe("$SYS/broker/log/#", 0)
        next_on(watcher, "$SYS/broker/log/M/subscribe")
        # One SUBSCRIBE of 1500 filters logs 1500 subscribe lines in one step of the only loop: more than the
        # queue's 1000 before the loop can publish any.
        flooder = connected(broker.port, "log-flooder")
        flooder.client.subscribe([(f"flood/{i}", 0) for i in range(1500)])
        flooder.subacks.get(timeout=WAIT)
        warning = next_on(watcher, "$SYS/broker/log/W").payload.decode()
        assert "log lines were not published on $SYS/broker/log" in warning
        flooder.disconnect()
        watcher.disconnect()
