#include "port.hpp"

#include <rte_mbuf.h>

#include <algorithm>

namespace sf::dataplane {
namespace {

// RSS when the port has several RX queues; the checksum offloads the device offers (recorded in `p`).
rte_eth_conf port_conf(const rte_eth_dev_info& info, PortRuntime& p) {
  rte_eth_conf conf{};
  if (p.rx_queues > 1) {
    // Several RX lcores: spread flows by RSS. Each RX lcore tracks the MoldUDP64 sessions it sees, so
    // a session must stay on one queue (it does: one source/destination address and port pair).
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
    if (conf.rx_adv_conf.rss_conf.rss_hf == 0) conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
  }
  p.tx_ip_cksum_offload = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
  if (p.tx_ip_cksum_offload) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
  p.tx_tcp_cksum_offload = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) != 0;
  if (p.tx_tcp_cksum_offload) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
  return conf;
}

// Configures one port (queues, mempool) and starts it; "" or what failed. `p` says how far it got.
std::string start_port(const PortConfig& pc, std::size_t index, uint16_t default_tx_queues, PortRuntime& p) {
  p.name = pc.name;
  p.dev_name = pc.devargs.substr(0, pc.devargs.find(','));
  p.driver = devargs_driver(pc.devargs);
  if (rte_eth_dev_get_port_by_name(p.dev_name.c_str(), &p.port_id) != 0)
    return "port \"" + pc.name + "\": no DPDK device \"" + p.dev_name + "\" (devargs \"" + pc.devargs +
           "\" not probed?)";
  p.found = true;
  p.socket = rte_eth_dev_socket_id(p.port_id);
  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(p.port_id, &info) != 0)
    return "port \"" + pc.name + "\": rte_eth_dev_info_get failed";
  p.rx_queues = std::min<uint16_t>(pc.rx_queues, info.max_rx_queues);
  const uint16_t want_tx = pc.tx_queues ? pc.tx_queues : default_tx_queues;
  p.tx_queues = std::min<uint16_t>(std::max<uint16_t>(want_tx, 1), info.max_tx_queues);
  if (p.rx_queues == 0 && p.tx_queues == 0)
    return "port \"" + pc.name + "\": device offers neither RX nor TX queues";
  const rte_eth_conf conf = port_conf(info, p);
  int rc = rte_eth_dev_configure(p.port_id, p.rx_queues, p.tx_queues, &conf);
  if (rc != 0) return "port \"" + pc.name + "\": rte_eth_dev_configure failed: " + rte_strerror(-rc);
  uint16_t nb_rx = pc.rx_descriptors, nb_tx = pc.tx_descriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(p.port_id, &nb_rx, &nb_tx);
  const std::string pool_name = "sf_pool_" + std::to_string(index);
  const int sock = p.socket < 0 ? static_cast<int>(rte_socket_id()) : p.socket;
  p.pool = rte_pktmbuf_pool_create(pool_name.c_str(), pc.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, sock);
  if (!p.pool)
    return "port \"" + pc.name + "\": mempool of " + std::to_string(pc.mbufs) +
           " mbufs failed: " + rte_strerror(rte_errno);
  for (uint16_t q = 0; q < p.rx_queues && rc == 0; ++q)
    rc = rte_eth_rx_queue_setup(p.port_id, q, nb_rx, static_cast<unsigned>(sock), nullptr, p.pool);
  for (uint16_t q = 0; q < p.tx_queues && rc == 0; ++q) {
    rte_eth_txconf txc = info.default_txconf;
    txc.offloads = conf.txmode.offloads;
    rc = rte_eth_tx_queue_setup(p.port_id, q, nb_tx, static_cast<unsigned>(sock), &txc);
  }
  if (rc != 0) return "port \"" + pc.name + "\": queue setup failed: " + rte_strerror(-rc);
  if (pc.promiscuous) rte_eth_promiscuous_enable(p.port_id);  // best effort: vdevs may refuse
  rc = rte_eth_dev_start(p.port_id);
  if (rc != 0) return "port \"" + pc.name + "\": rte_eth_dev_start failed: " + rte_strerror(-rc);
  p.started = true;
  rte_ether_addr addr{};
  if (rte_eth_macaddr_get(p.port_id, &addr) == 0) std::copy_n(addr.addr_bytes, 6, p.mac.begin());
  return "";
}

}  // namespace

std::vector<PortRuntime> setup_ports(const DataplaneConfig& cfg, const std::vector<uint16_t>& want_tx_queues,
                                     std::vector<std::string>& errors) {
  std::vector<PortRuntime> out;
  for (std::size_t i = 0; i < cfg.ports.size(); ++i) {
    PortRuntime p;
    if (std::string error = start_port(cfg.ports[i], i, want_tx_queues[i], p); !error.empty())
      errors.push_back(std::move(error));
    out.push_back(p);
  }
  return out;
}

void close_ports(std::vector<PortRuntime>& ports) {
  for (auto& p : ports) {
    if (p.started) {
      rte_eth_dev_stop(p.port_id);
      p.started = false;
    }
    if (p.found) rte_eth_dev_close(p.port_id);
    p.found = false;
  }
  for (auto& p : ports) {
    if (p.pool) rte_mempool_free(p.pool);
    p.pool = nullptr;
  }
}

}  // namespace sf::dataplane
