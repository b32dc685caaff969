"""One small template per vendor: ``render(cfg, tokens, psk, head) -> {file name: text}``."""
