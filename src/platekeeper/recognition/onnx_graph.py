"""Leaner PP-OCRv4 graphs: the same arithmetic in fewer ONNX Runtime kernels.

The PP-OCRv4 detector and recogniser, as exported from Paddle, spell two things out op by op:

* hard-swish, `x * clip(x + 3, 0, 6) / 6`, as four element-wise kernels (Add, Clip, Mul, Div)
  where `x * HardSigmoid(x)` (alpha 1/6, beta 1/2) takes two;
* the backbone's "learnable affine blocks", a scalar `scale * y + bias` after a convolution or
  an activation, as a Mul and an Add that ONNX Runtime does not fold into a convolution.

Each such kernel passes over a whole feature map: those passes were about a third of either
model's time. `simplify` rewrites hard-swish into HardSigmoid and folds each affine block into
the convolution before it, or into the pointwise convolution after it: the outputs differ from
the original graph's by float rounding only (under 1e-5).

The graph is edited with `google.protobuf` (a dependency of onnxruntime) through a schema of just
the ONNX fields read here; every other field is carried over unread as an unknown field.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

_FLOAT = 1  # TensorProto.FLOAT and AttributeProto.FLOAT


def _message_classes() -> dict[str, Any]:
    """Message classes for the subset of `onnx.proto` that `simplify` reads and writes."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    field = descriptor_pb2.FieldDescriptorProto
    one, many = field.LABEL_OPTIONAL, field.LABEL_REPEATED
    schema = {  # message: (field, number, type, label, message type)
        "Tensor": [
            ("dims", 1, field.TYPE_INT64, many, ""),
            ("data_type", 2, field.TYPE_INT32, one, ""),
            ("float_data", 4, field.TYPE_FLOAT, many, ""),
            ("name", 8, field.TYPE_STRING, one, ""),
            ("raw_data", 9, field.TYPE_BYTES, one, ""),
        ],
        "Attribute": [
            ("name", 1, field.TYPE_STRING, one, ""),
            ("f", 2, field.TYPE_FLOAT, one, ""),
            ("i", 3, field.TYPE_INT64, one, ""),
            ("t", 5, field.TYPE_MESSAGE, one, "Tensor"),
            ("ints", 8, field.TYPE_INT64, many, ""),
            ("type", 20, field.TYPE_INT32, one, ""),
        ],
        "Node": [
            ("input", 1, field.TYPE_STRING, many, ""),
            ("output", 2, field.TYPE_STRING, many, ""),
            ("name", 3, field.TYPE_STRING, one, ""),
            ("op_type", 4, field.TYPE_STRING, one, ""),
            ("attribute", 5, field.TYPE_MESSAGE, many, "Attribute"),
        ],
        "Graph": [
            ("node", 1, field.TYPE_MESSAGE, many, "Node"),
            ("initializer", 5, field.TYPE_MESSAGE, many, "Tensor"),
        ],
        "Model": [("graph", 7, field.TYPE_MESSAGE, one, "Graph")],
    }
    file = descriptor_pb2.FileDescriptorProto(name="platekeeper_onnx_subset.proto", package="pk")
    for name, fields in schema.items():
        message = file.message_type.add(name=name)
        for field_name, number, kind, label, type_name in fields:
            added = message.field.add(name=field_name, number=number, type=kind, label=label)
            if type_name:
                added.type_name = f".pk.{type_name}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"pk.{name}"))
        for name in schema
    }


class _Graph:
    """A parsed graph with its constants (initializers and Constant nodes) and its wiring."""

    def __init__(self, graph: Any, classes: dict[str, Any]) -> None:
        self.graph = graph
        self.classes = classes
        self.tensors = {tensor.name: tensor for tensor in graph.initializer}
        for node in graph.node:
            if node.op_type == "Constant":
                for attribute in node.attribute:
                    if attribute.name == "value":
                        self.tensors[node.output[0]] = attribute.t
        self.producer = {output: node for node in graph.node for output in node.output}
        self.consumers: dict[str, list[Any]] = defaultdict(list)
        for node in graph.node:
            for name in node.input:
                self.consumers[name].append(node)

    def array(self, name: str) -> np.ndarray | None:
        """The float constant called `name`, or None when it is no float constant."""
        tensor = self.tensors.get(name)
        if tensor is None or tensor.data_type != _FLOAT:
            return None
        if tensor.raw_data:
            values = np.frombuffer(tensor.raw_data, dtype="<f4")
        else:
            values = np.array(tensor.float_data, dtype=np.float32)
        return values.reshape([int(d) for d in tensor.dims])

    def scalar(self, name: str) -> float | None:
        values = self.array(name)
        return float(values.reshape(-1)[0]) if values is not None and values.size == 1 else None

    def only_consumer(self, name: str) -> Any:
        """The node that reads `name`, or None when none or several do."""
        consumers = self.consumers[name]
        return consumers[0] if len(consumers) == 1 else None

    def set_array(self, tensor: Any, values: np.ndarray) -> None:
        del tensor.float_data[:]
        del tensor.dims[:]
        tensor.dims.extend(values.shape)
        tensor.raw_data = values.astype("<f4").tobytes()


def _other_input(node: Any, name: str) -> str:
    others = [i for i in node.input if i != name]
    return others[0] if len(others) == 1 else ""


def _hard_swishes(g: _Graph) -> list[tuple[str, list[Any]]]:
    """Each `x * clip(x + 3, 0, 6) / 6` as (x, its four nodes, the Div last)."""
    found = []
    for div in g.graph.node:
        if div.op_type != "Div" or g.scalar(div.input[1]) != 6.0:
            continue
        mul = g.producer.get(div.input[0])
        if mul is None or mul.op_type != "Mul" or len(mul.input) != 2:
            continue
        pair = list(mul.input)
        for x, clipped in (pair, pair[::-1]):
            clip = g.producer.get(clipped)
            if clip is None or clip.op_type != "Clip" or len(clip.input) != 3:
                continue
            add = g.producer.get(clip.input[0])
            if (
                add is not None
                and add.op_type == "Add"
                and (g.scalar(clip.input[1]), g.scalar(clip.input[2])) == (0.0, 6.0)
                and x in add.input
                and g.scalar(_other_input(add, x)) == 3.0
                and all(g.only_consumer(n.output[0]) for n in (add, clip, mul))
            ):
                found.append((x, [add, clip, mul, div]))
                break
    return found


def _fuse_hard_swish(g: _Graph) -> None:
    """Rewrite each hard-swish as `x * HardSigmoid(x)`, clearing the nodes no longer needed."""
    node_class, attribute_class = g.classes["Node"], g.classes["Attribute"]
    for x, (add, clip, mul, div) in _hard_swishes(g):
        gate = f"{div.output[0]}/hard_sigmoid"
        sigmoid = node_class(
            name=gate,
            op_type="HardSigmoid",
            input=[x],
            output=[gate],
            attribute=[
                attribute_class(name="alpha", f=1 / 6, type=_FLOAT),
                attribute_class(name="beta", f=0.5, type=_FLOAT),
            ],
        )
        # The HardSigmoid takes the Add's place in the node order (after x, before the Div).
        add.CopyFrom(sigmoid)
        div.op_type = "Mul"
        del div.input[:]
        div.input.extend([x, gate])
        clip.Clear()
        mul.Clear()


def _own_weights_and_bias(g: _Graph, conv: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """`conv`'s weights and bias (zeros when it has none) when they are constants no other node
    reads, so that they can be changed in place; else None."""
    weights = g.array(conv.input[1])
    if weights is None or len(g.consumers[conv.input[1]]) != 1:
        return None
    if len(conv.input) < 3:
        return weights, np.zeros(weights.shape[0], dtype=np.float32)
    bias = g.array(conv.input[2])
    if bias is None or len(g.consumers[conv.input[2]]) != 1:
        return None
    return weights, bias


def _set_weights_and_bias(g: _Graph, conv: Any, weights: np.ndarray, bias: np.ndarray) -> None:
    """Write `conv`'s weights and bias, adding a bias input where it had none."""
    g.set_array(g.tensors[conv.input[1]], weights)
    if len(conv.input) < 3:
        added = g.graph.initializer.add(name=f"{conv.output[0]}/bias", data_type=_FLOAT)
        g.tensors[added.name] = added
        conv.input.append(added.name)
    g.set_array(g.tensors[conv.input[2]], bias)


def _scalar_affine(g: _Graph, mul: Any | None, x: str) -> tuple[Any, float, float] | None:
    """`(add, s, b)` when `mul` computes `x * s` and its only reader is an Add of `b` (scalars s
    and b): the affine block the two folds below remove; else None."""
    if mul is None or mul.op_type != "Mul":
        return None
    add = g.only_consumer(mul.output[0])
    if add is None or add.op_type != "Add":
        return None
    scale = g.scalar(_other_input(mul, x))
    shift = g.scalar(_other_input(add, mul.output[0]))
    if scale is None or shift is None:
        return None
    return add, scale, shift


def _fold_affine_into_conv(g: _Graph) -> None:
    """Fold each `conv(x) * s + b` (scalars s, b) into the convolution's weights and bias,
    clearing the Mul and Add nodes folded away."""
    for conv in g.graph.node:
        if conv.op_type != "Conv":
            continue
        mul = g.only_consumer(conv.output[0])
        affine = _scalar_affine(g, mul, conv.output[0])
        own = _own_weights_and_bias(g, conv)
        if affine is None or own is None:
            continue
        add, scale, shift = affine
        weights, bias = own
        conv.output[0] = add.output[0]
        _set_weights_and_bias(
            g, conv, weights * np.float32(scale), bias * np.float32(scale) + shift
        )
        mul.Clear()
        add.Clear()


def _is_pointwise(g: _Graph, conv: Any) -> bool:
    """True for a 1x1 convolution over all input channels without padding: one whose every
    output is a weighted sum of the input channels at the same pixel."""
    weights = g.array(conv.input[1])
    if weights is None or weights.shape[2:] != (1, 1):
        return False
    for attribute in conv.attribute:
        if attribute.name == "group" and attribute.i != 1:
            return False
        if attribute.name == "pads" and any(attribute.ints):
            return False
        if attribute.name == "auto_pad":
            return False
    return True


def _fold_affine_into_next_conv(g: _Graph) -> None:
    """Fold each `y * s + b` (scalars s, b) read only by a pointwise convolution into it:
    conv(y * s + b) has weights W * s and bias + b * sum(W) over the input channels. (Before a
    padded convolution the fold would be wrong at the borders, where the padding is 0, not b.)"""
    for mul in g.graph.node:
        if mul.op_type != "Mul":
            continue
        y = next((name for name in mul.input if g.scalar(name) is None), "")
        affine = _scalar_affine(g, mul, y)
        if affine is None:
            continue
        add, scale, shift = affine
        conv = g.only_consumer(add.output[0])
        if conv is None or conv.op_type != "Conv" or conv.input[0] != add.output[0]:
            continue
        own = _own_weights_and_bias(g, conv)
        if own is None or not _is_pointwise(g, conv):
            continue
        weights, bias = own
        conv.input[0] = y
        _set_weights_and_bias(
            g,
            conv,
            weights * np.float32(scale),
            bias + np.float32(shift) * weights.sum(axis=(1, 2, 3)),
        )
        mul.Clear()
        add.Clear()


def _drop_cleared(graph: Any) -> None:
    """Remove the nodes cleared by a rewrite, and Constant nodes nothing reads any more."""
    kept = [node for node in graph.node if node.op_type]
    read = {name for node in kept for name in node.input}
    kept = [node for node in kept if node.op_type != "Constant" or node.output[0] in read]
    copies = [type(node).FromString(node.SerializeToString()) for node in kept]
    del graph.node[:]
    graph.node.extend(copies)


def simplify(model: bytes) -> bytes:
    """`model` (a serialized ONNX model) with its hard-swishes and scalar affine blocks next to
    convolutions rewritten into fewer kernels (see the module's docstring)."""
    classes = _message_classes()
    parsed = classes["Model"].FromString(model)
    for rewrite in (_fuse_hard_swish, _fold_affine_into_conv, _fold_affine_into_next_conv):
        rewrite(_Graph(parsed.graph, classes))
        _drop_cleared(parsed.graph)
    return bytes(parsed.SerializeToString())
