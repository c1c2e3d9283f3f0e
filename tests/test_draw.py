"""Figures for the text: right content, labelled axes, colour-blind-safe colours."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from draw_support import close_figures  # noqa: F401 (autouse: Agg, and figures closed)

from backprop import draw
from backprop.activations import sigmoid_prime


def test_activations_plots_function_and_derivative():
    fig = draw.activations(["sigmoid"])
    ax_f, ax_df = fig.axes
    z, dy = ax_df.lines[0].get_data()
    np.testing.assert_allclose(dy, sigmoid_prime(z))
    assert ax_f.get_xlabel() and ax_df.get_ylabel() == "$f'(z)$"
    assert fig.get_size_inches()[0] == pytest.approx(draw.BOOK_WIDTH)


def test_curves_use_the_palette_in_order():
    fig = draw.curves({"train": [3, 2, 1], "test": [3, 2.5, 2]}, logy=True)
    (ax,) = fig.axes
    assert [line.get_color() for line in ax.lines] == list(draw.PALETTE[:2])
    # and in dash pattern: curves on top of each other all stay visible
    assert ax.lines[0].get_linestyle() == "-" and ax.lines[1].get_linestyle() == "--"
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])


def test_curves_start_where_asked_on_whole_number_ticks():
    # a loss recorded before each step: the starting loss is step 0
    fig = draw.curves({"loss": np.linspace(2, 1, 12)}, xlabel="step", first=0)
    (ax,) = fig.axes
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(12))
    # five epochs: no tick at 1.5 or 2.5
    (ax,) = draw.curves({"loss": [5, 4, 3, 2, 1]}).axes
    ax.figure.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks)


@pytest.mark.parametrize("matrices", [{}, np.eye(2), [np.eye(2)]])
def test_heatmaps_want_a_non_empty_dict(matrices):
    with pytest.raises(TypeError, match="draw.heatmaps: give the matrices a title each"):
        draw.heatmaps(matrices)


def test_heatmaps_number_rows_and_columns_from_one_and_frame_cells():
    with pytest.raises(ValueError, match=r"outline cell \(1, 2\) is outside the 1 × 3 matrix 'b'"):
        draw.heatmaps({"a": np.zeros((2, 3)), "b": np.zeros((1, 3))}, outline=[(1, 2)])
    fig = draw.heatmaps({"a": np.arange(6.0).reshape(2, 3), "b": [[2.0, -1e-15, 1e-3]],
                         "differences": np.full((1, 2), 3e-13)}, colorbar_label="∂L/∂w")
    outlined = draw.heatmaps({"a": np.arange(6.0).reshape(2, 3)}, outline=[(1, 2)])
    panels = [ax for ax in fig.axes if ax.images]
    assert [t.get_text() for t in panels[0].get_xticklabels()] == ["1", "2", "3"]
    assert [t.get_text() for t in panels[0].get_yticklabels()] == ["1", "2"]
    for ax in panels:
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("column", "row")
    (frame,) = outlined.axes[0].patches             # row 2, column 3: centred on (2, 1)
    assert frame.get_xy() == (1.5, 0.5) and frame.get_width() == frame.get_height() == 1
    colorbar = next(ax for ax in fig.axes if not ax.images)
    assert colorbar.get_ylabel() == "∂L/∂w"
    # rounding noise beside 2.0 prints as 0; a matrix of small numbers keeps them
    assert [t.get_text() for t in panels[1].texts] == ["2", "0", "0.001"]
    assert [t.get_text() for t in panels[2].texts] == ["3e-13", "3e-13"]
    plt.close(fig)
    plt.close(outlined)


def test_heatmaps_share_a_scale_and_annotate_small_matrices():
    fig = draw.heatmaps({"analytic": np.eye(2), "numerical": np.eye(2) * 2})
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 2
    assert {im.get_clim() for im in images} == {(0.0, 2.0)}
    assert len(fig.axes[0].texts) == 4


def test_decision_boundary_colours_regions_by_predicted_class():
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    y = np.array([0, 1])
    fig = draw.decision_boundary(lambda P: np.column_stack([-P[:, 0], P[:, 0]]), X, y,
                                 resolution=20)
    (ax,) = fig.axes
    assert ax.get_xlabel() == "$x_1$"
    # the scores favour class 1 where x₁ > 0: read the region colours off the rendered image
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float)

    def colour_at(x1, x2):
        px, py = ax.transData.transform((x1, x2))
        return image[image.shape[0] - int(round(py)), int(round(px))]

    def tint(hex_colour):  # the palette colour at alpha 0.25 over the white axes
        rgb = np.array(matplotlib.colors.to_rgb(hex_colour)) * 255
        return 0.25 * rgb + 0.75 * 255

    for x1, cls in ((-1.2, 0), (1.2, 1)):
        pixel = colour_at(x1, 0.3)                      # beside the data points, in a region
        assert np.abs(pixel - tint(draw.PALETTE[cls])).max() < 6, (x1, pixel)


def _class_points(ax):
    """The scatters of a decision-boundary plot (one per class), in class order."""
    return [c for c in ax.collections if not hasattr(c, "levels")]


def _marker_shape(collection):
    """The vertices of a scatter's marker, to compare shapes (a collection keeps a path)."""
    (path,) = collection.get_paths()
    return tuple(np.round(path.vertices, 6).ravel())


def _polygon_area(collection):
    """Area of a scatter's marker path at size 1 (shoelace formula over its polygons)."""
    (path,) = collection.get_paths()
    return abs(sum(0.5 * (x @ np.roll(y, -1) - y @ np.roll(x, -1))
                   for x, y in (poly.T for poly in path.to_polygons(closed_only=False))))


@pytest.mark.parametrize("classes", [2, 3, 8, 10, 12, 20])
def test_decision_boundary_gives_each_class_its_own_marker(classes):
    # tritanopia nearly merges blue and green: the classes must differ in shape too
    X = np.column_stack([np.arange(float(classes)), np.zeros(classes)])
    y = np.arange(classes)
    fig = draw.decision_boundary(lambda P: np.clip(np.rint(P[:, 0]), 0, classes - 1)
                                 .astype(int), X, y, resolution=20)
    points = _class_points(fig.axes[0])
    assert len(points) == classes
    shapes = [_marker_shape(p) for p in points]
    first_ten = shapes[:len(draw.MARKERS)]
    assert len(set(first_ten)) == len(first_ten), "up to ten classes: ten different shapes"
    # beyond ten, a shape comes back, but never with the same hue: class k + 10 has the light
    # partner of class k's hue (MANY_CLASS_COLOURS) and another shape
    for k in range(len(draw.MARKERS), classes):
        assert shapes[k] != shapes[k - len(draw.MARKERS)], k
    assert len(set(zip(shapes, (tuple(p.get_facecolor()[0]) for p in points),
                       strict=True))) == classes
    # and every shape covers the same area, so that no class looks lighter than another
    areas = [p.get_sizes()[0] * _polygon_area(p) for p in points]
    np.testing.assert_allclose(areas, areas[0], rtol=0.02)


def test_decision_boundary_draws_each_class_with_the_marker_of_class_marker():
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    fig = draw.decision_boundary(lambda P: np.zeros(len(P), int), X, np.array([0, 1, 2]),
                                 resolution=10)
    other = plt.figure().add_subplot()
    reference = [other.scatter([0], [0], marker=draw.class_marker(k)) for k in range(3)]
    assert [_marker_shape(p) for p in _class_points(fig.axes[0])] == [
        _marker_shape(r) for r in reference]
    assert [draw.class_marker(k) for k in (0, 1, 2, 3, 4)] == ["o", "s", "^", "D", "v"]


def test_decision_boundary_takes_predicted_labels_and_one_hot_data():
    # three classes as train.predict gives them (integer labels), data labelled one-hot
    X = np.array([[-2.0, 0.0], [0.0, 0.0], [2.0, 0.0]])
    fig = draw.decision_boundary(lambda P: np.digitize(P[:, 0], [-1.0, 1.0]), X, np.eye(3),
                                 resolution=30)
    (ax,) = fig.axes
    contour = next(c for c in ax.collections if hasattr(c, "levels"))
    assert list(contour.levels) == [-0.5, 0.5, 1.5, 2.5]     # three regions, not two
    points = _class_points(ax)                                # points coloured by class
    assert [p.get_label() for p in points] == ["class 0", "class 1", "class 2"]
    for k, p in enumerate(points):
        np.testing.assert_array_equal(p.get_offsets(), X[[k]])
        np.testing.assert_allclose(p.get_facecolor()[0], matplotlib.colors.to_rgba(
            draw.PALETTE[k]))


def test_decision_boundary_gives_each_of_many_classes_its_own_colour():
    X = np.column_stack([np.arange(12.0), np.zeros(12)])
    y = np.arange(12)
    fig = draw.decision_boundary(lambda P: np.clip(np.rint(P[:, 0]), 0, 11).astype(int), X, y,
                                 resolution=40)
    colours = {tuple(p.get_facecolor()[0]) for p in _class_points(fig.axes[0])}
    assert len(colours) == 12  # the palette's 8 colours would repeat
    with pytest.raises(ValueError, match="decision_boundary: 21 classes; it tells at most 20"):
        X21 = np.column_stack([np.arange(21.0), np.zeros(21)])
        draw.decision_boundary(lambda P: np.zeros(len(P), int), X21, np.arange(21),
                               resolution=10)


def _dashes(line):
    """A line's dash pattern ``(offset, on-off sequence)`` as it was given (``get_linestyle``
    calls every custom pattern "--"); a solid line's is ``(0, None)``."""
    offset, sequence = line._unscaled_dash_pattern
    return offset, None if sequence is None else tuple(sequence)


def test_activations_differ_in_dash_pattern_and_a_legend_names_both_panels():
    names = ("sigmoid", "tanh", "relu", "identity")
    fig = draw.activations(names)
    ax_f, ax_df = fig.axes
    legend_handles = {}
    for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]:
        if legend is not None:
            for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
                legend_handles[text.get_text()] = handle
    assert set(legend_handles) == set(names)
    for ax in (ax_f, ax_df):
        assert [line.get_label() for line in ax.lines] == list(names)
        dashes = [_dashes(line) for line in ax.lines]
        assert len(set(dashes)) == len(names), f"{ax.get_title()}: curves differ by colour only"
        for line in ax.lines:        # the legend's sample looks like the curve in this panel
            handle = legend_handles[line.get_label()]
            assert _dashes(handle) == _dashes(line), line.get_label()
            assert handle.get_color() == line.get_color(), line.get_label()
    # the legend sits outside both panels, so it hides no curve
    fig.canvas.draw()
    (legend,) = fig.legends
    box = legend.get_window_extent()
    for ax in (ax_f, ax_df):
        assert not box.overlaps(ax.get_window_extent()), ax.get_title()


def test_activations_take_one_name_and_refuse_unknown_ones():
    (ax_f, ax_df) = draw.activations("relu").axes
    assert len(ax_f.lines) == 1 and len(ax_df.lines) == 1
    with pytest.raises(ValueError, match=r"unknown activation\(s\) \['softmax'\]"):
        draw.activations(["tanh", "softmax"])


def test_curves_ask_for_named_curves():
    with pytest.raises(TypeError, match=r"draw.curves\(\{'training loss': history.loss\}\)"):
        draw.curves([3.0, 2.0, 1.0])
