"""The base-station and network simulator: the other end of the modem's air interface.

It plays a GSM cell for the mobile station that runs on the target: GMSK bursts through a channel
model on the downlink, decoding of the uplink, and the network side of layers 2 and 3.  Channel
coding is checked against a library coder (komm), never against the target's own code.
"""
