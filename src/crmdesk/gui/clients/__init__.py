"""The client list: a lazily loaded model over the client service, and its panel."""
