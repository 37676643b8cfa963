"""ergorisk: automatic ergonomic risk assessment.

The pipeline is a row of stages, each a package that imports only earlier ones:

    pose/        video, image or pose file  -> canonical skeleton (T, J, 3), z up, metres
    kinematics/  canonical skeleton          -> worksheet columns per frame and side
    scoring/     worksheet columns           -> exact REBA and RULA (vectorized)
    learned/     learned REBA scorers (Chatzis et al. 2022)
    differentiable/  body model, DULA and DEBA surrogates
    optimize/    postural optimization
    report/      plots, annotated video, HTML
    app/         web application and storage

    >>> from ergorisk.scoring import reba
    >>> reba.score_record({"trunk_flexion_deg": 30, "load_kg": 6})["total"]
    2
"""

__version__ = "0.1.0"
