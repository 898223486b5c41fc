import dataclasses
import math
import re

import pytest

from ganlib.config import GENERATOR_LOSS_NAMES, TrainConfig
from ganlib.losses import GENERATOR_LOSSES
from ganlib.noise import NOISES
from ganlib.optimizers import OPTIMIZERS


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"steps": 0}, ValueError, "TrainConfig: steps must be >= 1; got 0"),
        ({"steps": 2.0}, TypeError, "TrainConfig: steps must be an int; got float 2.0"),
        ({"k": 0}, ValueError, "TrainConfig: k must be >= 1; got 0"),
        ({"batch_size": True}, TypeError, "TrainConfig: batch_size must be an int; got bool"),
        (
            {"generator_loss": "saturating"},
            ValueError,
            r"TrainConfig: generator_loss must be one of "
            r"\['minimax', 'nonsaturating', 'maximum_likelihood'\]",
        ),
        (
            {"optimizer": "rmsprop"},
            ValueError,
            r"TrainConfig: optimizer must be one of \['sgd', 'adam'\]",
        ),
        (
            {"discriminator_lr": 0.0},
            ValueError,
            r"TrainConfig: discriminator_lr must be a finite number in \(0, inf\)",
        ),
        ({"generator_lr": "0.1"}, TypeError, "TrainConfig: generator_lr must be a real number"),
        ({"generator_lr": math.inf}, ValueError, "TrainConfig: generator_lr must be a finite"),
        (
            {"momentum": 1.0},
            ValueError,
            r"TrainConfig: momentum must be a finite number in \[0, 1\)",
        ),
        ({"adam_betas": (0.9,)}, TypeError, r"TrainConfig: adam_betas must be a pair"),
        ({"adam_betas": (0.9, 1.0)}, ValueError, r"TrainConfig: adam_betas must be a finite"),
        ({"latent_dim": 0}, ValueError, "TrainConfig: latent_dim must be >= 1"),
        ({"noise": "gaussian"}, ValueError, r"TrainConfig: noise must be one of \['normal'"),
        ({"seed": -1}, ValueError, "TrainConfig: seed must be >= 0"),
        ({"seed": 2**63}, ValueError, r"TrainConfig: seed must be < 2\*\*63"),
        ({"snapshot_steps": 5}, TypeError, "TrainConfig: snapshot_steps must be a tuple of ints"),
        ({"snapshot_steps": (1, -1)}, ValueError, "TrainConfig: snapshot_steps must be >= 0"),
        ({"snapshot_steps": (1, 1)}, ValueError, "TrainConfig: snapshot_steps must have no rep"),
        ({"checkpoint_every": -1}, ValueError, "TrainConfig: checkpoint_every must be >= 0"),
        (
            {"real_label": 0.0},
            ValueError,
            r"TrainConfig: real_label must be a finite number in \(0, 1\]",
        ),
        ({"lr_decay_steps": 100}, TypeError, "TrainConfig: lr_decay_steps must be a tuple"),
        ({"lr_decay_steps": (0, 5)}, ValueError, "TrainConfig: lr_decay_steps must be >= 1"),
        ({"lr_decay_steps": (5, 5)}, ValueError, "TrainConfig: lr_decay_steps must have no"),
        ({"lr_decay": 0.0}, ValueError, r"TrainConfig: lr_decay must be a finite number in \(0, 1"),
        ({"lr_decay": 2.0}, ValueError, r"TrainConfig: lr_decay must be a finite number in \(0, 1"),
        ({"pack": 0}, ValueError, "TrainConfig: pack must be >= 1"),
        ({"pack": 2.0}, TypeError, "TrainConfig: pack must be an int"),
    ],
)
def test_each_config_field_is_validated(change, error, match):
    with pytest.raises(error, match=match):
        TrainConfig(**change)


def test_every_config_field_has_a_validation_test():
    tested = {
        "steps",
        "k",
        "batch_size",
        "generator_loss",
        "optimizer",
        "discriminator_lr",
        "generator_lr",
        "momentum",
        "adam_betas",
        "latent_dim",
        "noise",
        "seed",
        "snapshot_steps",
        "checkpoint_every",
        "real_label",
        "lr_decay_steps",
        "lr_decay",
        "pack",
    }
    assert tested == {f.name for f in dataclasses.fields(TrainConfig)}


def test_config_is_frozen_and_round_trips_through_a_dict():
    config = TrainConfig(snapshot_steps=[30, 0], adam_betas=[0.5, 0.9])
    assert config.snapshot_steps == (0, 30) and config.adam_betas == (0.5, 0.9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.steps = 5
    assert TrainConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match=r"unknown keys \['lr'\]"):
        TrainConfig.from_dict({"lr": 0.1})
    assert TrainConfig.from_dict({}) == TrainConfig()


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        (None, TypeError,
         r"^TrainConfig\.from_dict: values must be a mapping of field names to values; got "
         r"NoneType None\. Pass a dict such as TrainConfig\(\)\.to_dict\(\), or \{\} for the "
         r"defaults\.$"),
        ([("steps", 5)], TypeError,
         r"^TrainConfig\.from_dict: values must be a mapping of field names to values; got list "),
        ("steps=5", TypeError,
         r"^TrainConfig\.from_dict: values must be a mapping of field names to values; got str "),
        ({1: 5, "steps": 5}, ValueError,
         r"^TrainConfig\.from_dict: values must only hold TrainConfig fields; got unknown keys "
         r"\[1\]\."),
        ({"steps": [5]}, TypeError, r"^TrainConfig: steps must be an int; got tuple \(5,\)\."),
    ],
)  # fmt: skip
def test_from_dict_refuses_what_is_not_a_dict_of_fields(values, error, message):
    with pytest.raises(error, match=message):
        TrainConfig.from_dict(values)


@pytest.mark.parametrize(
    ("field", "table"),
    [("generator_loss", GENERATOR_LOSSES), ("optimizer", OPTIMIZERS), ("noise", NOISES)],
)
def test_the_config_accepts_exactly_the_names_of_the_library_tables(field, table):
    for name in table:
        assert getattr(TrainConfig(**{field: name}), field) == name
    with pytest.raises(
        ValueError, match=re.escape(f"TrainConfig: {field} must be one of {list(table)}")
    ):
        TrainConfig(**{field: "something else"})
    assert GENERATOR_LOSS_NAMES == tuple(GENERATOR_LOSSES)
