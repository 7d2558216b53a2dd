"""The MLP pack's check kinds: they know the layered-network contract of the mlp task
(params W{l}/b{l}, forward's (probs, cache), backward's grads, init, minibatches, train)."""
