"""Learned REBA scorers: skeleton -> continuous partial and total REBA, frame by frame.

The workflow, one module per step:

    targets.rule_labels(skeleton)         # targets: ergorisk's kinematics + exact REBA, smoothed
    features.skeleton_features(skeleton)  # Table 1 joints, neck-centred, + joint-line distances
    uwiom.load_uwiom(root)                # the UW-IOM subjects (I/O edge, evaluation only)
    train.fit(model_name, x, y, config)   # mlp | msdn | vae (Chatzis et al. 2022)
    predict.predict_skeleton(skeleton, "vae")   # shipped weights -> DataFrame of scores

Model code imports torch; importing this package does not.
"""

TARGETS: tuple[str, ...] = ("neck", "trunk", "legs", "upper_arm", "lower_arm", "total")
MODEL_NAMES: tuple[str, ...] = ("vae", "msdn", "mlp")

__all__ = ["MODEL_NAMES", "TARGETS"]
