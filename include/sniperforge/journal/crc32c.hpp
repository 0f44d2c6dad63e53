// CRC32C (Castagnoli, the iSCSI / ext4 polynomial 0x1EDC6F41, reflected 0x82F63B78) of each journal
// record. Debian 12 packages no C/C++ CRC32C library, so: the SSE4.2 `crc32` instruction when the CPU has
// it (checked once at start-up), else a 256-entry table (slicing-by-1). Both give the same value; the
// unit test checks them against the RFC 3720 test vectors.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sf::journal {

// CRC32C of `len` bytes, continuing from `crc` (0 for a new checksum).
[[nodiscard]] uint32_t crc32c(const void* data, std::size_t len, uint32_t crc = 0) noexcept;
// The table implementation alone (tests compare both paths).
[[nodiscard]] uint32_t crc32c_table(const void* data, std::size_t len, uint32_t crc = 0) noexcept;
// True when crc32c() uses the SSE4.2 instruction.
[[nodiscard]] bool crc32c_hardware() noexcept;

}  // namespace sf::journal
