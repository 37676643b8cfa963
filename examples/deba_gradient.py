"""DEBA, the differentiable REBA: a continuous risk for body postures, and its gradient.

    .venv/bin/python examples/deba_gradient.py

Four postures (arms raised forward 100°, elbows bent 90°, 6 kg) with the trunk across REBA's
60° band edge: DEBA's value follows the exact score, and is nearly flat between band edges
(docs/differentiable.md, "Surrogates"), so its gradient is about 0 there.
"""

import numpy as np
import torch

from ergorisk.differentiable import exact, surrogates, synthetic

deba = surrogates.load("deba")  # a torch module on the committed weights
dofs = deba.problem.dofs  # the body's joint angles, in degrees
col = {d.name: i for i, d in enumerate(dofs)}
q = np.array([[d.neutral for d in dofs]] * 4)  # four postures, from neutral
q[:, col["shoulder_plane"]] = 90.0  # arms raised forward
q[:, col["shoulder_elevation"]] = 100.0
q[:, col["elbow_flexion"]] = 90.0
q[:, col["trunk_flexion"]] = [45.0, 59.5, 61.0, 75.0]
task = synthetic.constant_task("reba", 4, load_kg=6.0)  # worksheet values; defaults elsewhere

x = torch.tensor(q, dtype=torch.float32, requires_grad=True)
risk = deba(x, torch.tensor(synthetic.task_features("reba", task)))
risk.sum().backward()  # x.grad: d risk / d angle, per degree, for each posture
exact_reba = exact.exact_scores("reba", q, dofs, task)["total"]
for i, trunk in enumerate(q[:, col["trunk_flexion"]]):
    slope = x.grad[i, col["trunk_flexion"]].item()
    print(
        f"trunk {trunk:4.1f}°: DEBA {risk[i].item():.2f}, exact REBA {exact_reba[i]}, "
        f"d DEBA / d trunk {slope:+.4f} per degree"
    )
