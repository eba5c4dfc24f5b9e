// mosquitto.conf's mount_point: a listener whose clients live in a topic tree of their own. Every topic and
// filter such a client names gets the listener's prefix, and every topic it is sent loses it, so that the
// client sees its own names while the broker (its ACL, retained messages, other listeners) sees the whole
// topic.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace culex::broker {

// `topic` as the broker knows it: "PREFIX" + topic.
std::string mounted_topic(std::string_view mount_point, std::string_view topic);

// `filter` as the broker knows it. A shared subscription `$share/GROUP/FILTER` keeps its group and has its
// FILTER mounted, so that it stays a shared subscription within the listener's tree.
std::string mounted_filter(std::string_view mount_point, std::string_view filter);

// How many leading bytes of `topic` a client of the mount point is not shown, or nothing when the topic is
// outside the mount point's tree (a session that subscribed through another listener): such a message is
// not for it.
std::optional<std::size_t> unmounted_skip(std::string_view mount_point, std::string_view topic);

}  // namespace culex::broker
