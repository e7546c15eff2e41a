"""Reference colours for the figure colour maps, from matplotlib (independent of NeuroLens).

Prints one line per map: name followed by 3*N floats, the r g b of the map's N table
entries (matplotlib's maps are 256-entry tables; entry i sits at i / (N - 1)).
Usage: plot_colormaps.py
"""
import matplotlib
import numpy as np

for name in ("viridis", "cividis", "magma", "coolwarm"):
    table = matplotlib.colormaps[name]
    # Integer arguments index the table directly (floats would be quantised to it).
    colours = table(np.arange(table.N))[:, :3]
    print(name, " ".join(f"{v:.6f}" for v in colours.ravel()))
