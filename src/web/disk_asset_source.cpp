#include "web/disk_asset_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "web/etag.h"
#include "web/media_type.h"
#include "web/request_path.h"

namespace iron::web {

namespace {

// What an Asset from disk points into; shared so Asset copies stay valid.
struct DiskFile {
    std::string bytes;
    std::string etag;
};

// Closes the descriptor on every return path.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

std::optional<std::string> read_regular_file(const std::string& path) {
    // O_NONBLOCK: opening a FIFO must not hang the request; S_ISREG below refuses it anyway.
    // O_NOFOLLOW: the canonical path has no symlinks, so one appearing at the last component
    // since canonical() ran is a swap in progress; refuse it rather than follow it out.
    Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)};
    if (file.fd < 0) return std::nullopt;
    struct stat st {};
    if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    std::string bytes;
    bytes.reserve(static_cast<std::size_t>(st.st_size));
    char buffer[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;
        }
        bytes.append(buffer, static_cast<std::size_t>(n));
    }
    return bytes;
}

}  // namespace

DiskAssetSource::DiskAssetSource(const std::filesystem::path& root) {
    std::error_code ec;
    root_ = std::filesystem::canonical(root, ec);
    if (ec || !std::filesystem::is_directory(root_, ec)) {
        throw std::runtime_error("assets dir is not a readable directory: " + root.string());
    }
    root_prefix_ = root_.native();
    if (root_prefix_.back() != '/') root_prefix_.push_back('/');
}

std::optional<Asset> DiskAssetSource::find(std::string_view path) const {
    // Validation also rules out a leading '/', which would make root_ / path absolute.
    if (path.empty() || path.back() == '/' || !is_clean_relative_path(path)) return std::nullopt;

    std::error_code ec;
    const std::filesystem::path real = std::filesystem::canonical(root_ / path, ec);
    if (ec) return std::nullopt;
    // Symlinks are followed by canonical(); whatever they point at must still be inside.
    if (!real.native().starts_with(root_prefix_)) return std::nullopt;

    std::optional<std::string> bytes = read_regular_file(real.native());
    if (!bytes) return std::nullopt;

    auto file = std::make_shared<DiskFile>();
    file->bytes = std::move(*bytes);
    file->etag = strong_etag(file->bytes);
    return Asset{
        .content_type = media_type_for_path(path),
        .identity = {file->bytes, file->etag},
        .gzip = {},
        .brotli = {},
        .owner = file,
    };
}

}  // namespace iron::web
