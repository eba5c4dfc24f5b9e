#include "broker/mount_point.hpp"

#include "protocol/topic.hpp"

namespace culex::broker {

std::string mounted_topic(std::string_view mount_point, std::string_view topic) {
    std::string mounted;
    mounted.reserve(mount_point.size() + topic.size());
    mounted.append(mount_point).append(topic);
    return mounted;
}

std::string mounted_filter(std::string_view mount_point, std::string_view filter) {
    auto shared = protocol::parse_shared_filter(filter);
    if (!shared) return mounted_topic(mount_point, filter);
    std::string_view group_part = filter.substr(0, filter.size() - shared->filter.size());  // "$share/G/"
    std::string mounted;
    mounted.reserve(filter.size() + mount_point.size());
    mounted.append(group_part).append(mount_point).append(shared->filter);
    return mounted;
}

std::optional<std::size_t> unmounted_skip(std::string_view mount_point, std::string_view topic) {
    // A topic equal to the prefix would go out empty, which is no topic at all.
    if (topic.size() <= mount_point.size() || !topic.starts_with(mount_point)) return std::nullopt;
    return mount_point.size();
}

}  // namespace culex::broker
