"""Reference implementation of COCO bbox evaluation (pycocotools COCOeval, iouType='bbox') in numpy, for tests.

pycocotools is not packaged for Debian here, so this follows COCOeval.evaluateImg / accumulate / summarize
line by line: IoU thresholds np.linspace(.5, .95, 10), 101 recall thresholds, area ranges all/small/medium/large,
maxDets [1, 10, 100], stable mergesort orders, iscrowd 0. Boxes arrive as [x1, y1, x2, y2] and are converted to
COCO's [x, y, w, h]; areas are w * h.

stdin: {"numClasses": K, "scoreThreshold": s, "images": [{"gt": {"boxes": [...], "classes": [...]},
        "det": {"boxes": [...], "scores": [...], "classes": [...]}}]}
stdout: {"map50_95", "map50", "map75", "map_small", "map_medium", "map_large", "mar", "perClass": [...]}
"""
import json
import sys

import numpy as np

iouThrs = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
recThrs = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
maxDets = [1, 10, 100]
areaRng = [[0 ** 2, 1e5 ** 2], [0 ** 2, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]]


def xywh(b):
    return [b[0], b[1], b[2] - b[0], b[3] - b[1]]


def iou_matrix(d, g):
    # maskUtils.iou for boxes, iscrowd all 0
    out = np.zeros((len(d), len(g)))
    for i, a in enumerate(d):
        for j, b in enumerate(g):
            w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
            h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
            if w <= 0 or h <= 0:
                continue
            inter = w * h
            out[i, j] = inter / (a[2] * a[3] + b[2] * b[3] - inter)
    return out


def evaluate_img(gt, dt, aRng, maxDet):
    if len(gt) == 0 and len(dt) == 0:
        return None
    for g in gt:
        g['_ignore'] = 1 if (g['area'] < aRng[0] or g['area'] > aRng[1]) else 0
    gtind = np.argsort([g['_ignore'] for g in gt], kind='mergesort')
    gt = [gt[i] for i in gtind]
    dtind = np.argsort([-d['score'] for d in dt], kind='mergesort')
    dt = [dt[i] for i in dtind[0:maxDet]]
    ious = iou_matrix([d['bbox'] for d in dt], [g['bbox'] for g in gt]) if len(dt) and len(gt) else []
    T = len(iouThrs)
    G = len(gt)
    D = len(dt)
    gtm = np.zeros((T, G))
    dtm = np.zeros((T, D))
    gtIg = np.array([g['_ignore'] for g in gt])
    dtIg = np.zeros((T, D))
    if not len(ious) == 0:
        for tind, t in enumerate(iouThrs):
            for dind, d in enumerate(dt):
                iou = min([t, 1 - 1e-10])
                m = -1
                for gind, g in enumerate(gt):
                    if gtm[tind, gind] > 0:
                        continue
                    if m > -1 and gtIg[m] == 0 and gtIg[gind] == 1:
                        break
                    if ious[dind, gind] < iou:
                        continue
                    iou = ious[dind, gind]
                    m = gind
                if m == -1:
                    continue
                dtIg[tind, dind] = gtIg[m]
                dtm[tind, dind] = gt[m]['id']
                gtm[tind, m] = d['id']
    a = np.array([d['area'] < aRng[0] or d['area'] > aRng[1] for d in dt]).reshape((1, len(dt)))
    dtIg = np.logical_or(dtIg, np.logical_and(dtm == 0, np.repeat(a, T, 0)))
    return {'dtMatches': dtm, 'dtScores': [d['score'] for d in dt], 'gtIgnore': gtIg, 'dtIgnore': dtIg}


def main():
    inp = json.load(sys.stdin)
    K = inp['numClasses']
    thr = inp.get('scoreThreshold', 0.3)
    images = inp['images']
    next_id = [1]

    def ann(box, cls, score=None):
        a = {'bbox': xywh(box), 'category_id': cls, 'id': next_id[0]}
        a['area'] = a['bbox'][2] * a['bbox'][3]
        if score is not None:
            a['score'] = score
        next_id[0] += 1
        return a

    gts = [[ann(b, c) for b, c in zip(im['gt']['boxes'], im['gt']['classes'])] for im in images]
    dts = [[ann(b, c, s) for b, c, s in zip(im['det']['boxes'], im['det']['classes'], im['det']['scores'])]
           for im in images]
    T, R, A, M = len(iouThrs), len(recThrs), len(areaRng), len(maxDets)
    precision = -np.ones((T, R, K, A, M))
    recall = -np.ones((T, K, A, M))
    at_thr = [(float('nan'), float('nan'))] * K
    for k in range(K):
        for a, aRng in enumerate(areaRng):
            E = [evaluate_img([dict(g) for g in gts[i] if g['category_id'] == k],
                              [dict(d) for d in dts[i] if d['category_id'] == k], aRng, maxDets[-1])
                 for i in range(len(images))]
            E = [e for e in E if e is not None]
            if len(E) == 0:
                continue
            for m, maxDet in enumerate(maxDets):
                dtScores = np.concatenate([e['dtScores'][0:maxDet] for e in E])
                inds = np.argsort(-dtScores, kind='mergesort')
                dtScoresSorted = dtScores[inds]
                dtm = np.concatenate([e['dtMatches'][:, 0:maxDet] for e in E], axis=1)[:, inds]
                dtIg = np.concatenate([e['dtIgnore'][:, 0:maxDet] for e in E], axis=1)[:, inds]
                gtIg = np.concatenate([e['gtIgnore'] for e in E])
                npig = np.count_nonzero(gtIg == 0)
                if npig == 0:
                    continue
                tps = np.logical_and(dtm, np.logical_not(dtIg))
                fps = np.logical_and(np.logical_not(dtm), np.logical_not(dtIg))
                if a == 0 and m == M - 1:
                    keep = np.logical_not(dtIg[0]) & (dtScoresSorted >= thr)
                    tp_at = int(np.sum(tps[0] & keep))
                    fp_at = int(np.sum(fps[0] & keep))
                    at_thr[k] = (tp_at / (tp_at + fp_at) if tp_at + fp_at else 0.0, tp_at / npig)
                tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
                fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
                for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
                    tp = np.array(tp)
                    fp = np.array(fp)
                    nd = len(tp)
                    rc = tp / npig
                    pr = tp / (fp + tp + np.spacing(1))
                    q = np.zeros((R,))
                    recall[t, k, a, m] = rc[-1] if nd else 0
                    pr = pr.tolist()
                    q = q.tolist()
                    for i in range(nd - 1, 0, -1):
                        if pr[i] > pr[i - 1]:
                            pr[i - 1] = pr[i]
                    inds2 = np.searchsorted(rc, recThrs, side='left')
                    try:
                        for ri, pi in enumerate(inds2):
                            q[ri] = pr[pi]
                    except IndexError:
                        pass
                    precision[t, :, k, a, m] = np.array(q)

    def summarize(ap=1, iouThr=None, areaIdx=0, k=None):
        m = M - 1
        if ap == 1:
            s = precision
            if iouThr is not None:
                s = s[np.where(np.isclose(iouThr, iouThrs))[0]]
            s = s[:, :, :, areaIdx, m] if k is None else s[:, :, k, areaIdx, m]
        else:
            s = recall[:, :, areaIdx, m]
        v = s[s > -1]
        return float(np.mean(v)) if len(v) else float('nan')

    print(json.dumps({
        'map50_95': summarize(), 'map50': summarize(iouThr=.5), 'map75': summarize(iouThr=.75),
        'map_small': summarize(areaIdx=1), 'map_medium': summarize(areaIdx=2), 'map_large': summarize(areaIdx=3),
        'mar': summarize(ap=0),
        'perClass': [{'ap50_95': summarize(k=k), 'ap50': summarize(iouThr=.5, k=k), 'ap75': summarize(iouThr=.75, k=k),
                      'precision': at_thr[k][0], 'recall': at_thr[k][1]} for k in range(K)],
    }))


if __name__ == '__main__':
    main()
