"""Delivery: channels in config, deliveries held in the store, deliverers that send them."""
