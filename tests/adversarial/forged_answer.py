# Forges the worker's answer. relu_grad overwrites its input with the 0/1 mask (so the
# unchanged-inputs check must fail), then writes its own answer frame -- claiming the
# arguments came back as a pristine copy of z -- straight to the answer pipe (file
# descriptor sys.argv[2]), using the worker's own protocol module, and makes the
# worker's real answer vanish by swapping write_frame for a one-shot no-op. The grader
# must not take the worker's word for what happened to the caller's array.
# Legitimate part: sigmoid, tanh, relu, relu_grad.values.
import sys

import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float64))


def relu(z):
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def _worker_protocol():
    main = sys.modules.get("__main__")
    if getattr(main, "protocol", None) is not None:
        return main.protocol
    frame = sys._getframe(1)
    while frame is not None:
        if "protocol" in frame.f_globals:
            return frame.f_globals["protocol"]
        frame = frame.f_back
    return None


def relu_grad(z):
    pristine = np.array(z, copy=True)
    z[...] = z > 0                                   # changes the caller's array
    try:
        protocol = _worker_protocol()
        if protocol is not None:
            protocol.write_frame(int(sys.argv[2]), {"ok": True, "result": np.array(z),
                                                    "args": [pristine], "kwargs": {}})
            real = protocol.write_frame

            def swallow_once(*args, **kwargs):
                protocol.write_frame = real

            protocol.write_frame = swallow_once
    except Exception:
        pass
    return z
