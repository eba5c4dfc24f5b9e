#include "broker/access_policy.hpp"

namespace culex::broker {

std::expected<AccessPolicy, std::string> load_access_policy(const AccessFiles& files) {
    AccessPolicy policy;
    policy.allow_anonymous = files.allow_anonymous;
    if (!files.password_file.empty()) {
        auto passwords = auth::PasswordFile::load(files.password_file);
        if (!passwords) return std::unexpected(passwords.error().message);
        policy.password_file_path = files.password_file;
        policy.passwords = std::make_shared<const auth::PasswordFile>(std::move(*passwords));
    }
    if (!files.acl_file.empty()) {
        auto acl = auth::Acl::load(files.acl_file);
        if (!acl) return std::unexpected(acl.error().message);
        policy.acl = std::make_shared<const auth::Acl>(std::move(*acl));
    }
    return policy;
}

}  // namespace culex::broker
