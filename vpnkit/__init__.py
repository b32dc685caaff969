"""vpnkit: create and audit Tencent Cloud VPN tunnels from Jupyter."""
