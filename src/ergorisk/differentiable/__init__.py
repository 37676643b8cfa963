"""DULA and DEBA: differentiable surrogates of RULA and REBA, with the body model they learn on.

One module per step:

    body.forward_kinematics(q, dofs)        # joint angles (degrees) -> joint positions (torch)
    exact.exact_scores(method, q, dofs, task)   # body posture -> kinematics -> exact score
    synthetic.generate(problem, n, seed)    # seeded, exactly labelled postures and tasks
    surrogates.load("dula")                 # shipped weights -> differentiable risk(q, task)

``ergorisk.optimize`` searches postures on them. The modules import torch; this package does not.
"""
