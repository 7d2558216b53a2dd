#############################################################################
# v07  conventions: He init via rng.standard_normal(...) * sqrt(2 / fan_in);
#      Python loops in the small functions: a per-row logsumexp softmax, a
#      per-sample loop in cross_entropy and in one_hot; sgd_step building a new
#      dict in a loop; numerical_gradient looping over x.size with np.unravel_index;
#      relu_grad(0) == 1.
#  Author: Lena Hoffmann
#############################################################################
import math

import numpy as np


def sigmoid(z):
    values = np.asarray(z, dtype=np.float64)
    negative_exp = np.exp(-np.abs(values))
    positive_branch = 1.0 / (1.0 + negative_exp)
    return np.where(values >= 0, positive_branch, 1.0 - positive_branch)


def sigmoid_grad(z):
    activation_value = sigmoid(z)
    return activation_value * (1.0 - activation_value)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_grad(z):
    tanh_value = np.tanh(np.asarray(z, dtype=np.float64))
    return (1.0 - tanh_value) * (1.0 + tanh_value)


def relu(z):
    values = np.asarray(z, dtype=np.float64)
    return values * (values > 0)


def relu_grad(z):
    return np.asarray(np.asarray(z) >= 0.0, dtype=np.float64)


def softmax(z):
    logits = np.asarray(z, dtype=np.float64)
    probabilities = np.zeros(logits.shape)
    for row_index in range(logits.shape[0]):
        row = logits[row_index]
        biggest = row.max()
        log_normaliser = biggest + math.log(np.exp(row - biggest).sum())
        probabilities[row_index] = np.exp(row - log_normaliser)
    return probabilities


def one_hot(y, num_classes):
    encoded = []
    for label in y:
        row = [0.0] * num_classes
        row[int(label)] = 1.0
        encoded.append(row)
    return np.array(encoded, dtype=np.float64).reshape(len(encoded), num_classes)


def cross_entropy(probs, y):
    number_of_samples = len(y)
    total_loss = 0.0
    for sample_index in range(number_of_samples):
        target_probability = probs[sample_index][int(y[sample_index])]
        total_loss -= math.log(target_probability + 1e-12)
    return total_loss / number_of_samples


def preprocess(images):
    image_array = np.asarray(images)
    flattened = image_array.reshape(image_array.shape[0], -1)
    return flattened.astype(np.float64) / 255.0


def init_params(layer_sizes, rng):
    parameters = {}
    for layer_number in range(1, len(layer_sizes)):
        fan_in = layer_sizes[layer_number - 1]
        fan_out = layer_sizes[layer_number]
        he_std = math.sqrt(2.0 / fan_in)
        parameters["W{}".format(layer_number)] = rng.standard_normal((fan_in, fan_out)) * he_std
        parameters["b{}".format(layer_number)] = np.zeros(fan_out)
    return parameters


def get_activation_functions(activation_name):
    if activation_name == "relu":
        return relu, relu_grad
    elif activation_name == "tanh":
        return tanh, tanh_grad
    elif activation_name == "sigmoid":
        return sigmoid, sigmoid_grad
    else:
        raise ValueError("unknown activation " + activation_name)


def forward(params, X, activation="relu"):
    activation_function, _ = get_activation_functions(activation)
    number_of_layers = len(params) // 2
    current = np.asarray(X, dtype=np.float64)
    cache = {"A0": current}
    for layer_number in range(1, number_of_layers + 1):
        weights = params["W{}".format(layer_number)]
        bias = params["b{}".format(layer_number)]
        pre_activation = current @ weights + bias
        if layer_number == number_of_layers:
            current = softmax(pre_activation)
        else:
            current = activation_function(pre_activation)
        cache["Z{}".format(layer_number)] = pre_activation
        cache["A{}".format(layer_number)] = current
    return current, cache


def backward(params, cache, y, activation="relu"):
    _, activation_derivative = get_activation_functions(activation)
    number_of_layers = len(params) // 2
    output_probabilities = cache["A{}".format(number_of_layers)]
    number_of_samples, number_of_classes = output_probabilities.shape
    targets = np.zeros((number_of_samples, number_of_classes))
    targets[np.arange(number_of_samples), y] = 1.0
    error = (output_probabilities - targets) / number_of_samples
    gradients = {}
    for layer_number in range(number_of_layers, 0, -1):
        previous = cache["A{}".format(layer_number - 1)]
        gradients["W{}".format(layer_number)] = previous.T @ error
        gradients["b{}".format(layer_number)] = error.sum(axis=0)
        if layer_number > 1:
            back = error @ params["W{}".format(layer_number)].T
            error = back * activation_derivative(cache["Z{}".format(layer_number - 1)])
    return gradients


def sgd_step(params, grads, lr):
    updated = {}
    for parameter_name, parameter_value in params.items():
        updated[parameter_name] = parameter_value - lr * grads[parameter_name]
    return updated


def minibatches(X, y, batch_size, rng):
    shuffled_indices = rng.permutation(X.shape[0])
    batch_list = []
    position = 0
    while position < X.shape[0]:
        batch_indices = shuffled_indices[position:position + batch_size]
        batch_list.append((X[batch_indices], y[batch_indices]))
        position += batch_size
    return batch_list


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    parameters = init_params(layer_sizes, rng)
    for epoch_number in range(epochs):
        for batch_X, batch_y in minibatches(X, y, batch_size, rng):
            _, cache = forward(parameters, batch_X, activation)
            gradients = backward(parameters, cache, batch_y, activation)
            parameters = sgd_step(parameters, gradients, lr)
    return parameters


def predict(params, X, activation="relu"):
    output_probabilities, _ = forward(params, X, activation)
    return output_probabilities.argmax(axis=1)


def accuracy(y_pred, y_true):
    matches = 0
    for predicted_label, true_label in zip(y_pred, y_true):
        if predicted_label == true_label:
            matches += 1
    return matches / len(y_true)


def numerical_gradient(f, x, eps=1e-5):
    gradient = np.zeros(x.shape)
    for flat_index in range(x.size):
        position = np.unravel_index(flat_index, x.shape)
        original_value = x[position]
        x[position] = original_value + eps
        value_plus = f(x)
        x[position] = original_value - eps
        value_minus = f(x)
        x[position] = original_value
        gradient[position] = (value_plus - value_minus) / (2.0 * eps)
    return gradient
