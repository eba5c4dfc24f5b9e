// MQTT 5 properties (spec 2.2.2.2): one typed field per property. An absent optional means the property was
// not in the packet. MQTT 3.1/3.1.1 packets always have empty Properties.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace culex::protocol {

enum class PropertyId : std::uint8_t {
    payload_format_indicator = 0x01,
    message_expiry_interval = 0x02,
    content_type = 0x03,
    response_topic = 0x08,
    correlation_data = 0x09,
    subscription_identifier = 0x0B,
    session_expiry_interval = 0x11,
    assigned_client_identifier = 0x12,
    server_keep_alive = 0x13,
    authentication_method = 0x15,
    authentication_data = 0x16,
    request_problem_information = 0x17,
    will_delay_interval = 0x18,
    request_response_information = 0x19,
    response_information = 0x1A,
    server_reference = 0x1C,
    reason_string = 0x1F,
    receive_maximum = 0x21,
    topic_alias_maximum = 0x22,
    topic_alias = 0x23,
    maximum_qos = 0x24,
    retain_available = 0x25,
    user_property = 0x26,
    maximum_packet_size = 0x27,
    wildcard_subscription_available = 0x28,
    subscription_identifier_available = 0x29,
    shared_subscription_available = 0x2A,
};

using UserProperty = std::pair<std::string, std::string>;

struct Properties {
    std::optional<std::uint8_t> payload_format_indicator;
    std::optional<std::uint32_t> message_expiry_interval;
    std::optional<std::string> content_type;
    std::optional<std::string> response_topic;
    std::optional<std::string> correlation_data;          // binary data
    std::vector<std::uint32_t> subscription_identifiers;  // a PUBLISH may carry several
    std::optional<std::uint32_t> session_expiry_interval;
    std::optional<std::string> assigned_client_identifier;
    std::optional<std::uint16_t> server_keep_alive;
    std::optional<std::string> authentication_method;
    std::optional<std::string> authentication_data;  // binary data
    std::optional<std::uint8_t> request_problem_information;
    std::optional<std::uint32_t> will_delay_interval;
    std::optional<std::uint8_t> request_response_information;
    std::optional<std::string> response_information;
    std::optional<std::string> server_reference;
    std::optional<std::string> reason_string;
    std::optional<std::uint16_t> receive_maximum;
    std::optional<std::uint16_t> topic_alias_maximum;
    std::optional<std::uint16_t> topic_alias;
    std::optional<std::uint8_t> maximum_qos;
    std::optional<std::uint8_t> retain_available;
    std::vector<UserProperty> user_properties;
    std::optional<std::uint32_t> maximum_packet_size;
    std::optional<std::uint8_t> wildcard_subscription_available;
    std::optional<std::uint8_t> subscription_identifier_available;
    std::optional<std::uint8_t> shared_subscription_available;

    bool operator==(const Properties&) const = default;
};

// The properties of a PUBLISH, kept out of line: most PUBLISHes carry none (every MQTT 3.1.1 one), and the
// broker keeps a message for as long as it is queued or retained, so it should not carry some 500 bytes of
// absent optionals, nor build and destroy them for every message. Reading a box that holds none sees an
// empty Properties; edit() creates them.
class PropertiesBox {
  public:
    PropertiesBox() = default;
    // Implicit, so that a Publish can be built from a Properties.
    PropertiesBox(Properties properties)  // NOLINT(google-explicit-constructor)
        : properties_(properties == Properties{} ? nullptr
                                                 : std::make_unique<Properties>(std::move(properties))) {}
    PropertiesBox(const PropertiesBox& other)
        : properties_(other.properties_ ? std::make_unique<Properties>(*other.properties_) : nullptr) {}
    PropertiesBox& operator=(const PropertiesBox& other) {
        if (this != &other)
            properties_ = other.properties_ ? std::make_unique<Properties>(*other.properties_) : nullptr;
        return *this;
    }
    PropertiesBox(PropertiesBox&&) noexcept = default;
    PropertiesBox& operator=(PropertiesBox&&) noexcept = default;

    const Properties& operator*() const { return properties_ ? *properties_ : none(); }
    const Properties* operator->() const { return &**this; }
    Properties& edit() {
        if (!properties_) properties_ = std::make_unique<Properties>();
        return *properties_;
    }
    bool operator==(const PropertiesBox& other) const { return **this == *other; }
    // Holds none, and allocates nothing.
    bool empty() const { return !properties_; }

  private:
    static const Properties& none() {
        static const Properties kEmpty;
        return kEmpty;
    }
    std::unique_ptr<Properties> properties_;
};

}  // namespace culex::protocol
