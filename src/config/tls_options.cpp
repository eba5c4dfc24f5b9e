// tls_version and tls_keyform; the TLS options that only set a path or a flag are templates in
// option_handlers.hpp.
#include "config/option_handlers.hpp"

namespace culex::config::parsing {

std::expected<TlsVersion, std::string> tls_version_value(const Line& l) {
    static constexpr std::array<std::pair<std::string_view, TlsVersion>, 3> kChoices{{
        {"tlsv1.3", TlsVersion::tls1_3},
        {"tlsv1.2", TlsVersion::tls1_2},
        {"tlsv1.1", TlsVersion::tls1_1},
    }};
    return choice(l, kChoices);
}

Result on_tls_version(Parser& p, const Line& l) {
    auto value = tls_version_value(l);
    if (!value) return std::unexpected(value.error());
    p.listener_target().listener.tls.min_version = *value;
    return {};
}

Result on_tls_keyform(Parser& p, const Line& l) {
    static constexpr std::array<std::pair<std::string_view, KeyForm>, 2> kChoices{
        {{"pem", KeyForm::pem}, {"engine", KeyForm::engine}}};
    auto value = choice(l, kChoices);
    if (!value) return std::unexpected(value.error());
    if (*value == KeyForm::engine) {
        p.warn(
            "'tls_keyform engine' needs TLS engines, which culex does not implement yet; use a PEM keyfile");
    }
    p.listener_target().listener.tls.keyform = *value;
    return {};
}

}  // namespace culex::config::parsing
