# Fay Lund -- Assignment 4: a deep network, step by step (column-major)
# everything is (features, examples): X is (n_x, m), Y is (1, m)
import math

import numpy as np


# ---------------------------------------------------------------- activations

def sigmoid(Z):
    # clip so that exp() cannot overflow for very negative Z
    A = 1.0 / (1.0 + np.exp(-np.clip(Z, -500, 500)))
    cache = Z
    return A, cache


def relu(Z):
    A = np.maximum(0, Z).astype(float)
    cache = Z
    return A, cache


def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)   # copy, so dA itself is not touched
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA, cache):
    Z = cache
    s = 1.0 / (1.0 + np.exp(-np.clip(Z, -500, 500)))
    dZ = dA * s * (1 - s)
    return dZ


# ---------------------------------------------------------------- data + init

def preprocess(images):
    m = images.shape[0]
    flat = images.reshape(m, -1)      # (m, 784), one image per row
    return flat.T / 255.              # (784, m), one image per column


def initialize_parameters_deep(layer_dims, rng):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) \
            / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


# ---------------------------------------------------------------- forward

def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        A, activation_cache = relu(Z)
    cache = (linear_cache, activation_cache)
    return A, cache


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters["W" + str(l)],
                                             parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)],
                                          parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    logprobs = np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL))
    cost = -np.sum(logprobs) / m
    return float(np.squeeze(cost))


# ---------------------------------------------------------------- backward

def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=0, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))

    current_cache = caches[L - 1]
    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(dAL, current_cache, "sigmoid")
    grads["dA" + str(L - 1)] = dA_prev_temp
    grads["dW" + str(L)] = dW_temp
    grads["db" + str(L)] = db_temp

    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(
            grads["dA" + str(l + 1)], current_cache, "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads


# ---------------------------------------------------------------- training

def update_parameters(parameters, grads, learning_rate):
    params = parameters.copy()
    L = len(params) // 2
    for l in range(L):
        params["W" + str(l + 1)] = params["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        params["b" + str(l + 1)] = params["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return params


def random_mini_batches(X, Y, mini_batch_size, rng):
    m = X.shape[1]
    mini_batches = []

    permutation = list(rng.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))

    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))

    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:]
        mini_batches.append((mini_batch_X, mini_batch_Y))

    return mini_batches


def train(X, Y, layer_dims, learning_rate=0.0075, num_epochs=10, mini_batch_size=64, seed=0):
    rng = np.random.default_rng(seed)
    parameters = initialize_parameters_deep(layer_dims, rng)
    costs = []
    for epoch in range(num_epochs):
        epoch_cost = 0.0
        for minibatch_X, minibatch_Y in random_mini_batches(X, Y, mini_batch_size, rng):
            AL, caches = L_model_forward(minibatch_X, parameters)
            epoch_cost += compute_cost(AL, minibatch_Y) * minibatch_X.shape[1]
            grads = L_model_backward(AL, minibatch_Y, caches)
            parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(epoch_cost / X.shape[1])
    return parameters


def predict(X, parameters):
    AL, _ = L_model_forward(X, parameters)
    p = np.zeros((1, X.shape[1]), dtype=int)
    p[AL > 0.5] = 1
    return p


if __name__ == "__main__":
    # my own experiments, not run by the grader
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 200))
    Y = (X[0:1] * X[1:2] > 0).astype(float)
    params = train(X, Y, [2, 8, 1], 0.5, 200, 32)
    print("train accuracy", np.mean(predict(X, params) == Y))
