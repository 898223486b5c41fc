import dataclasses
import subprocess
import sys
import textwrap

import pytest
import torch

import ganlib
from ganlib import TrainConfig, recipes
from ganlib.noise import Noise

CHAPTER = ("ring-plain", "ring-tuned", "grid-plain", "grid-tuned")


def parameters(*networks):
    return [p.detach().clone() for network in networks for p in network.parameters()]


def test_importing_the_package_and_the_command_line_loads_no_data_set():
    script = textwrap.dedent(
        """
        import sys

        calls = []

        def watch(frame, event, arg):
            loaders = ("load_sklearn_digits", "load_mnist", "load_fashion_mnist")
            if event == "call" and frame.f_code.co_name in loaders:
                calls.append(frame.f_code.co_name)

        sys.setprofile(watch)
        import ganlib, ganlib.cli, ganlib.recipes
        print(calls, "sklearn.datasets" in sys.modules)
        recipe = ganlib.recipes.get("digits")
        recipe.data(), recipe.target(), recipe.data()
        sys.setprofile(None)
        print(calls, "sklearn.datasets" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    at_import, after_use = result.stdout.splitlines()
    assert at_import == "[] False"
    assert after_use == "['load_sklearn_digits'] True"  # loaded when asked for, and once


def test_the_registry_names_every_recipe_and_refuses_others():
    assert set(recipes.RECIPES) == {
        "gaussian", "mixture", "ring", "grid", "digits", "fashion-mnist",
        *CHAPTER, "ring-fast", "grid-fast", "ring-precise", "grid-precise",
    }  # fmt: skip
    assert all(recipes.get(name).name == name for name in recipes.RECIPES)
    with pytest.raises(ValueError, match=r"get: name must be one of \['digits', .*got 'rings'"):
        recipes.get("rings")
    with pytest.raises(TypeError, match="get: name must be a str; got int 3"):
        recipes.get(3)
    with pytest.raises(TypeError):
        recipes.RECIPES["mine"] = recipes.get("ring")  # read-only


@pytest.mark.parametrize("name", sorted(recipes.RECIPES))
def test_each_recipe_builds_seeded_networks_of_its_shapes(name):
    recipe = recipes.get(name)
    config = recipe.config()
    assert isinstance(config, TrainConfig) and config == TrainConfig(**recipe.defaults)
    before = torch.random.get_rng_state()
    generator, discriminator = recipe.networks(rng=7)
    assert torch.equal(torch.random.get_rng_state(), before)  # the global RNG is untouched
    again = recipe.networks(config.latent_dim, torch.Generator().manual_seed(7))
    for a, b in zip(parameters(generator, discriminator), parameters(*again), strict=True):
        assert torch.equal(a, b)
    z = torch.zeros(3, config.latent_dim)
    assert generator(z).shape == (3, recipe.data_dim)
    assert discriminator(torch.zeros(3, recipe.data_dim)).shape == (3, 1)


def test_the_chapter_recipes_are_what_the_chapter_builds():
    # "When GANs fail": plain 2 x 32 units, m = 64, both rates 1e-3; tuned 2 x 128, m = 128,
    # D 2e-3 and G 5e-4 lowered by 0.3 after 600 and 900 of 1,200 steps; Adam, non-saturating.
    def adam(d_lr, g_lr, batch_size, **schedule):
        return dict(optimizer="adam", generator_loss="nonsaturating", discriminator_lr=d_lr,
                    generator_lr=g_lr, batch_size=batch_size, **schedule)  # fmt: skip

    plain = ((32, 32), adam(1e-3, 1e-3, 64))
    tuned = ((128, 128), adam(2e-3, 5e-4, 128, lr_decay_steps=(600, 900), lr_decay=0.3))
    for name, (hidden, fields) in zip(CHAPTER, (plain, tuned, plain, tuned), strict=True):
        snapshots = tuple(range(0, 1201, 50))
        expected = TrainConfig(steps=1200, k=1, latent_dim=2, seed=3, snapshot_steps=snapshots,
                               **fields)  # fmt: skip
        assert recipes.get(name).config(seed=3, snapshot_steps=snapshots) == expected
        rng = torch.Generator().manual_seed(3)
        generator = ganlib.generator(2, 2, hidden, output=None, rng=rng)
        discriminator = ganlib.discriminator(2, hidden, rng=rng)
        built = recipes.get(name).networks(rng=3)
        assert str(built[0]) == str(generator) and str(built[1]) == str(discriminator)
        for a, b in zip(parameters(*built), parameters(generator, discriminator), strict=True):
            assert torch.equal(a, b), name


def test_the_quartered_grid_recipes_evaluate_on_the_grid_itself():
    for name in ("grid-tuned", "grid-fast", "grid-precise"):
        recipe = recipes.get(name)
        trained_on, evaluated = recipe.data(), recipe.target()
        assert recipe.scale == 4.0
        assert torch.equal(trained_on.centres * 4, evaluated.centres)  # exact: a power of 2
        assert evaluated.scale == trained_on.scale * 4 == 0.05
    ring = recipes.get("ring-tuned")
    assert repr(ring.data()) == repr(ring.target()) == repr(ganlib.ring_of_gaussians())


def test_train_records_the_samples_on_fixed_noise_in_the_targets_units():
    recipe = dataclasses.replace(recipes.get("grid-tuned"), hidden=(8,))
    run = recipe.train(2, every=3, steps=6, batch_size=16)
    assert run.config == recipe.config(seed=2, steps=6, batch_size=16, snapshot_steps=(0, 3, 6))
    assert sorted(run.samples) == [0, 3, 6] and len(run.history) == 6
    z = Noise(2, "normal").sample(
        (recipes.EVALUATION_SAMPLES,), torch.Generator().manual_seed(recipes.EVALUATION_SEED)
    )
    with torch.no_grad():
        expected = run.generator(z).double() * 4
    assert run.samples[6].dtype == torch.float64 and torch.equal(run.samples[6], expected)
    again = recipe.train(2, every=3, steps=6, batch_size=16)
    assert all(torch.equal(run.samples[s], again.samples[s]) for s in run.samples)
    # A config of one's own, the same run:
    same = recipe.train(config=run.config)
    assert torch.equal(same.samples[6], run.samples[6])


def test_train_takes_a_snapshot_function_and_stops_when_asked():
    recipe = dataclasses.replace(recipes.get("ring-plain"), hidden=(8,))
    run = recipe.train(
        0,
        every=2,
        steps=10,
        snapshot=lambda generator, discriminator, step: torch.tensor([float(step)]),
        stop_when=lambda value, step: step >= 4,
    )
    assert len(run.history) == 4 and sorted(run.history.snapshots) == [0, 2, 4]


def test_metrics_and_figures_of_each_kind_of_target():
    gaussian = recipes.get("gaussian")
    samples = gaussian.data().sample((2000,), torch.Generator().manual_seed(0))
    js = gaussian.metrics(samples)["js_divergence_estimate"]
    assert js["units"] == "nats" and 0 <= js["value"] < 0.05
    ring = recipes.get("ring")
    coverage = ring.metrics(ring.target().sample((800,), torch.Generator().manual_seed(0)))
    assert coverage["mode_coverage"]["modes_captured"] == 8
    figure = ring.figure(torch.zeros(10, 2), torch.nn.Linear(2, 1))
    assert figure.axes
    assert ring.rescale(samples) is samples
    assert torch.equal(recipes.get("grid-fast").rescale(torch.ones(2, 2)), torch.full((2, 2), 4.0))


def test_the_digits_recipe_reads_mnist_from_a_folder_only_when_asked(tmp_path):
    recipe = recipes.digits(tmp_path / "nowhere")  # builds without touching the folder
    assert recipe.data_dim == 784 and recipe.config().latent_dim == 100
    assert recipe.networks(rng=0)[0](torch.zeros(2, 100)).shape == (2, 784)
    with pytest.raises((FileNotFoundError, ValueError), match="load_mnist"):
        recipe.data()


def test_the_fashion_mnist_recipe_is_the_seeds_network_and_reads_its_folder_when_asked(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("GANLIB_DATA", str(tmp_path / "cache"))
    monkeypatch.setattr(ganlib.data, "DEBIAN_FASHION_MNIST", tmp_path / "debian")
    recipe = recipes.fashion_mnist(tmp_path / "nowhere")  # builds without touching the folder
    generator, discriminator = recipe.networks(rng=0)
    rng = torch.Generator().manual_seed(0)
    assert str(generator) == str(ganlib.generator(100, 784, rng=rng))
    assert str(discriminator) == str(ganlib.discriminator(784, rng=rng))
    assert recipe.config().generator_loss == "nonsaturating" and recipe.config().steps == 10000
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        recipe.data()


def test_wrong_arguments_are_clear_errors():
    recipe = recipes.get("ring-plain")
    with pytest.raises(ValueError, match=r"Recipe\.train: config must come alone"):
        recipe.train(config=recipe.config(), steps=3)
    with pytest.raises(ValueError, match=r"Recipe\.train: snapshot_steps must not be given"):
        recipe.train(0, every=2, snapshot_steps=(0, 2))
    with pytest.raises(ValueError, match=r"Recipe\.train: every must be >= 1; got 0"):
        recipe.train(0, every=0)
    with pytest.raises(TypeError, match=r"Recipe\.networks: rng must be a torch.Generator or an"):
        recipe.networks(rng="seed")
    with pytest.raises(ValueError, match="TrainConfig: batch_size must be >= 1"):
        recipe.config(batch_size=0)


def test_a_trained_recipe_samples_its_generator_in_the_targets_units():
    trained = recipes.get("grid-tuned").train(0, steps=2)
    samples = trained.sample(50, 7)
    assert samples.shape == (50, 2) and samples.dtype == torch.float64  # scaled back by 4
    assert torch.equal(samples, trained.sample(50, 7)) and not trained.generator.training
    z = ganlib.Noise(2, trained.config.noise).sample((50,), torch.Generator().manual_seed(7))
    with torch.no_grad():
        assert torch.equal(samples, trained.generator(z).double() * 4)
