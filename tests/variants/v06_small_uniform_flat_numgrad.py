# v06 - conventions: small uniform init U(-0.1, 0.1); numerical_gradient over x.flat
#       (restoring each value); minibatches returning a list of (X_batch, y_batch)
#       tuples after rng.shuffle of an index array; sigmoid derivative in backward
#       taken from the activation, A * (1 - A); train calling minibatches, printing nothing.
# by Sam O'Neill
import numpy as np

UNIF_A = 0.1   ## half-width of the uniform init
FLOOR = 1e-300


## activations ##############################################################

def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    expNeg = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, expNeg) / (1.0 + expNeg)


def sigmoid_grad(z):
    sig = sigmoid(z)
    return sig * (1.0 - sig)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_grad(z):
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def relu(z):
    zArr = np.asarray(z, dtype=np.float64)
    return np.where(zArr > 0.0, zArr, 0.0)


def relu_grad(z):
    return np.greater(z, 0).astype(np.float64)


## output ###################################################################

def softmax(z):
    zArr = np.asarray(z, dtype=np.float64)
    rowMax = zArr.max(axis=1, keepdims=True)
    expZ = np.exp(zArr - rowMax)
    return expZ / expZ.sum(axis=1, keepdims=True)


def one_hot(y, num_classes):
    labels = np.asarray(y).astype(np.int64)
    mat = np.zeros((labels.shape[0], num_classes))
    mat[np.arange(labels.shape[0]), labels] = 1.0
    return mat


def cross_entropy(probs, y):
    probsArr = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(y).astype(np.int64)
    targetP = probsArr[np.arange(labels.shape[0]), labels]
    return float(-np.log(np.maximum(targetP, FLOOR)).sum() / labels.shape[0])


## data / init ##############################################################

def preprocess(images):
    imgs = np.asarray(images)
    return imgs.astype(np.float64).reshape(imgs.shape[0], imgs.shape[1] * imgs.shape[2]) / 255.0


def init_params(layer_sizes, rng):
    params = {}
    for layerNo in range(1, len(layer_sizes)):
        nIn, nOut = layer_sizes[layerNo - 1], layer_sizes[layerNo]
        params["W" + str(layerNo)] = rng.uniform(-UNIF_A, UNIF_A, size=(nIn, nOut))
        params["b" + str(layerNo)] = np.zeros(nOut)
    return params


## forward / backward #######################################################

def forward(params, X, activation="relu"):
    nLayers = len(params) // 2
    if activation == "sigmoid":
        actFn = sigmoid
    elif activation == "tanh":
        actFn = tanh
    else:
        actFn = relu
    cache = {"A0": np.asarray(X, dtype=np.float64)}
    for layerNo in range(1, nLayers + 1):
        zCur = cache["A" + str(layerNo - 1)] @ params["W" + str(layerNo)] + params["b" + str(layerNo)]
        cache["Z" + str(layerNo)] = zCur
        cache["A" + str(layerNo)] = softmax(zCur) if layerNo == nLayers else actFn(zCur)
    return cache["A" + str(nLayers)], cache


def backward(params, cache, y, activation="relu"):
    nLayers = len(params) // 2
    probs = cache["A" + str(nLayers)]
    batchN = probs.shape[0]
    dZ = (probs - one_hot(y, probs.shape[1])) / batchN
    grads = {}
    for layerNo in range(nLayers, 0, -1):
        aPrev = cache["A" + str(layerNo - 1)]
        grads["W" + str(layerNo)] = aPrev.T @ dZ
        grads["b" + str(layerNo)] = dZ.sum(axis=0)
        if layerNo == 1:
            break
        dA = dZ @ params["W" + str(layerNo)].T
        if activation == "sigmoid":
            dZ = dA * aPrev * (1.0 - aPrev)      # sigmoid'(Z) = A (1 - A)
        elif activation == "tanh":
            dZ = dA * tanh_grad(cache["Z" + str(layerNo - 1)])
        else:
            dZ = dA * relu_grad(cache["Z" + str(layerNo - 1)])
    return grads


## training #################################################################

def sgd_step(params, grads, lr):
    for name in params:
        params[name] -= lr * grads[name]
    return params


def minibatches(X, y, batch_size, rng):
    order = np.arange(len(y))
    rng.shuffle(order)
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]])
            for i in range(0, len(order), batch_size)]


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    for epochNo in range(epochs):
        for xBatch, yBatch in minibatches(X, y, batch_size, rng):
            _, cache = forward(params, xBatch, activation)
            params = sgd_step(params, backward(params, cache, yBatch, activation), lr)
    return params


def predict(params, X, activation="relu"):
    probs, _ = forward(params, X, activation)
    return probs.argmax(1)


def accuracy(y_pred, y_true):
    same = np.asarray(y_pred) == np.asarray(y_true)
    return float(same.sum() / len(same))


## numerical gradient #######################################################

def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros(x.size)
    for i in range(x.size):
        orig = x.flat[i]
        x.flat[i] = orig + eps
        fPlus = f(x)
        x.flat[i] = orig - eps
        fMinus = f(x)
        x.flat[i] = orig
        grad[i] = (fPlus - fMinus) / (2 * eps)
    return grad.reshape(x.shape)
