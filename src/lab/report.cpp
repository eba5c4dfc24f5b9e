#include "lab/report.hpp"

#include <fstream>

#include <fmt/format.h>

namespace culex::lab {

namespace fs = std::filesystem;

Result<void> write_report(const fs::path& directory, std::string_view markdown,
                          const std::vector<ReportFile>& files) {
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec)
        return std::unexpected(
            Error{fmt::format("cannot make the report directory {}: {}; choose another with "
                              "--report DIR",
                              directory.string(), ec.message())});
    {
        std::ofstream out(directory / "lab.md", std::ios::binary | std::ios::trunc);
        out << markdown;
        if (!out)
            return std::unexpected(Error{fmt::format("cannot write {}: check the directory's permissions",
                                                     (directory / "lab.md").string())});
    }
    for (const auto& file : files) {
        fs::path name(file.name);
        if (name.is_absolute() || name.empty() || *name.begin() == "..")
            return std::unexpected(
                Error{fmt::format("internal error: report file name {} leaves the report", file.name)});
        for (const auto& part : name) {
            if (part == "..")
                return std::unexpected(
                    Error{fmt::format("internal error: report file name {} leaves the report", file.name)});
        }
        fs::path target = directory / name;
        fs::create_directories(target.parent_path(), ec);
        if (!ec) fs::copy_file(file.source, target, fs::copy_options::overwrite_existing, ec);
        if (ec)
            return std::unexpected(Error{fmt::format("cannot copy {} into the report as {}: {}",
                                                     file.source.string(), target.string(), ec.message())});
    }
    return {};
}

}  // namespace culex::lab
