"""bridge_bind_address (docs/bridge.md, "The local address"): the bridge connects from the address it names,
on loopback (127.0.0.2 is this host's too); an address this host does not have, or of the other family than
the remote's, is said in the log, and the bridge tries again.
"""
from brokers import start_culex, start_mosquitto
from mqtt_peers import WAIT, connected
from test_bridge import BRIDGE_UP, bridge_config, site_dirs


def test_the_bridge_connects_from_its_bind_address(tmp_path):
    remote_dir, local_dir = site_dirs(tmp_path)
    with start_mosquitto(remote_dir) as remote, \
            start_culex(local_dir, bridge_config(remote.port, ["bind/# out 1"],
                                                 extra="bridge_bind_address 127.0.0.2\n")) as local:
        local.log.wait_for(BRIDGE_UP.format("b", remote.port, "site1"), timeout=WAIT)
        remote.log.wait_for(rf"New connection from 127\.0\.0\.2:\d+ on port {remote.port}\.", timeout=WAIT)
        remote.log.wait_for(r"New bridge connected from 127\.0\.0\.2:\d+ as site1", timeout=WAIT)
        sub = connected(remote.port, "remote-sub")
        sub.subscribe("bind/#", 1)
        connected(local.port, "local-pub").publish("bind/1", b"from 127.0.0.2", qos=1)
        assert sub.next_message().payload == b"from 127.0.0.2"


def test_an_address_the_host_does_not_have_is_said_and_retried(tmp_path):
    remote_dir, local_dir = site_dirs(tmp_path)
    with start_culex(remote_dir) as remote, \
            start_culex(local_dir, bridge_config(remote.port, ["bind/# out 1"],
                                                 extra="bridge_bind_address 192.0.2.1\n")) as local:
        local.log.wait_for(r"Error creating bridge: Cannot assign requested address \(connecting from "
                           r"192\.0\.2\.1\)\.", timeout=WAIT)
        local.log.wait_for(r"Bridge b will reconnect in \d+ ms\.", timeout=WAIT)


def test_a_bind_address_of_the_other_family_is_said(tmp_path):
    remote_dir, local_dir = site_dirs(tmp_path)
    with start_culex(remote_dir) as remote, \
            start_culex(local_dir, bridge_config(remote.port, ["bind/# out 1"],
                                                 extra="bridge_bind_address ::1\n")) as local:
        local.log.wait_for(r"Error creating bridge: the host has no IPv6 address to connect to from ::1\.",
                           timeout=WAIT)
