#include "sniperforge/io/pcap_file.hpp"

#include <pcap/pcap.h>

#include <cstdio>
#include <utility>

namespace sf::io {

namespace {
pcap_t* as_pcap(void* p) {
  return static_cast<pcap_t*>(p);
}
}  // namespace

PcapReader::PcapReader(PcapReader&& o) noexcept
    : handle_(std::exchange(o.handle_, nullptr)), error_(std::move(o.error_)) {}

PcapReader& PcapReader::operator=(PcapReader&& o) noexcept {
  if (this != &o) {
    close();
    handle_ = std::exchange(o.handle_, nullptr);
    error_ = std::move(o.error_);
  }
  return *this;
}

PcapReader::~PcapReader() {
  close();
}

bool PcapReader::open(const std::string& path) {
  close();
  char err[PCAP_ERRBUF_SIZE] = {};
  // Ask for nanosecond timestamps: libpcap scales microsecond files up.
  handle_ = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (handle_ == nullptr) {
    error_ = path + ": " + err;
    return false;
  }
  error_.clear();
  return true;
}

bool PcapReader::next(PcapPacket& out) {
  if (handle_ == nullptr) return false;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(as_pcap(handle_), &hdr, &data);
  if (rc == 1) {
    out.ts_ns =
        static_cast<uint64_t>(hdr->ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(hdr->ts.tv_usec);
    out.data = data;
    out.caplen = hdr->caplen;
    out.len = hdr->len;
    return true;
  }
  if (rc == PCAP_ERROR) error_ = pcap_geterr(as_pcap(handle_));
  return false;
}

void PcapReader::close() noexcept {
  if (handle_ != nullptr) pcap_close(as_pcap(handle_));
  handle_ = nullptr;
}

int PcapReader::link_type() const noexcept {
  return handle_ ? pcap_datalink(as_pcap(handle_)) : -1;
}

PcapWriter::~PcapWriter() {
  close();
}

bool PcapWriter::open(const std::string& path, int link_type, uint32_t snaplen) {
  close();
  pcap_ =
      pcap_open_dead_with_tstamp_precision(link_type, static_cast<int>(snaplen), PCAP_TSTAMP_PRECISION_NANO);
  if (pcap_ == nullptr) {
    error_ = "pcap_open_dead failed";
    return false;
  }
  dumper_ = pcap_dump_open(as_pcap(pcap_), path.c_str());
  if (dumper_ == nullptr) {
    error_ = path + ": " + pcap_geterr(as_pcap(pcap_));
    pcap_close(as_pcap(pcap_));
    pcap_ = nullptr;
    return false;
  }
  error_.clear();
  packets_ = 0;
  return true;
}

void PcapWriter::write(uint64_t ts_ns, const uint8_t* data, uint32_t len) noexcept {
  if (dumper_ == nullptr) return;
  pcap_pkthdr hdr{};
  hdr.ts.tv_sec = static_cast<time_t>(ts_ns / 1'000'000'000ull);
  hdr.ts.tv_usec = static_cast<suseconds_t>(ts_ns % 1'000'000'000ull);  // ns: nano-precision handle
  hdr.caplen = len;
  hdr.len = len;
  pcap_dump(static_cast<u_char*>(dumper_), &hdr, data);
  ++packets_;
}

bool PcapWriter::close() noexcept {
  bool ok = true;
  if (dumper_ != nullptr) {
    auto* d = static_cast<pcap_dumper_t*>(dumper_);
    if (pcap_dump_flush(d) != 0) ok = false;
    if (std::ferror(pcap_dump_file(d))) ok = false;
    pcap_dump_close(d);
    dumper_ = nullptr;
    if (!ok) error_ = "write error";
  }
  if (pcap_ != nullptr) pcap_close(as_pcap(pcap_));
  pcap_ = nullptr;
  return ok;
}

bool is_classic_pcap(const std::string& path) {
  unsigned char m[4] = {};
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  const bool read = std::fread(m, 1, 4, f) == 4;
  std::fclose(f);
  const uint32_t le = m[0] | (m[1] << 8) | (m[2] << 16) | (uint32_t{m[3]} << 24);
  const uint32_t be = m[3] | (m[2] << 8) | (m[1] << 16) | (uint32_t{m[0]} << 24);
  return read && (le == 0xa1b2c3d4 || le == 0xa1b23c4d || be == 0xa1b2c3d4 || be == 0xa1b23c4d);
}

std::string damaged_pcap_message(const std::string& path, uint64_t records, const std::string& error) {
  return path + ": damaged pcap: " + error + " after " + std::to_string(records) +
         " complete records; they were replayed, the rest of the file was not";
}

std::string check_pcap(const std::string& path) {
  PcapReader r;
  if (!r.open(path)) return r.error();
  PcapPacket p;
  uint64_t records = 0;
  while (r.next(p)) ++records;
  return r.error().empty() ? std::string() : damaged_pcap_message(path, records, r.error());
}

}  // namespace sf::io
