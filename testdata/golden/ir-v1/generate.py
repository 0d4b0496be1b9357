import json, os, random
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
def s(v): return str(v)
def dense_bounds(W, b, lo, hi):
    L=[];H=[]
    for j,row in enumerate(W):
        l=b[j];h=b[j]
        for w,a,c in zip(row,lo,hi):
            l+=min(w*a,w*c); h+=max(w*a,w*c)
        L.append(l);H.append(h)
    return L,H
def floordiv(a,k): return a>>k  # python >> is floor
def evaluate(ir, xs):
    env={ir["inputs"][0]:xs}
    for op in ir["ops"]:
        a=env[op["in"]]
        if op["op"]=="dense":
            W=[[int(w) for w in r] for r in op["weights"]]; b=[int(x) for x in op["bias"]]
            env[op["out"]]=[b[j]+sum(w*x for w,x in zip(W[j],a)) for j in range(len(W))]
        elif op["op"]=="rescale":
            env[op["out"]]=[v>>op["shift"] for v in a]
        elif op["op"]=="argmax":
            m=max(a); env[op["out"]]=[a.index(m)]
    out=[]
    for o in ir["outputs"]: out+=env[o]
    return out
def build(name, task, labels, features, in_scale, w_scale, lo, hi, W, b, shift=None, argmax=False):
    t=[{"name":"x","size":len(lo),"scale":in_scale,"lo":[s(v) for v in lo],"hi":[s(v) for v in hi]}]
    ops=[]
    L,H=dense_bounds(W,b,lo,hi)
    t.append({"name":"acc","size":len(W),"scale":in_scale+w_scale,"lo":[s(v) for v in L],"hi":[s(v) for v in H]})
    ops.append({"op":"dense","in":"x","out":"acc","weightScale":w_scale,"weights":[[s(w) for w in r] for r in W],"bias":[s(v) for v in b]})
    cur="acc"; sc=in_scale+w_scale
    if shift is not None:
        t.append({"name":"y","size":len(W),"scale":sc-shift,"lo":[s(v>>shift) for v in L],"hi":[s(v>>shift) for v in H]})
        ops.append({"op":"rescale","in":"acc","out":"y","shift":shift}); cur="y"; sc-=shift
    if argmax:
        t.append({"name":"label","size":1,"scale":0,"lo":["0"],"hi":[s(len(W)-1)]})
        ops.append({"op":"argmax","in":cur,"out":"label"}); cur="label"
    return {"format":"zkml-ir","version":1,"field":"bn254","name":name,"task":task,
            "producer":{"name":"hand-written golden","version":"1"},
            "features":features,"labels":labels,
            "tensors":t,"inputs":["x"],"ops":ops,"outputs":[cur]}
rnd=random.Random(20261124)
def cases(ir, lo, hi, extra):
    cs=[]
    pts=list(extra)+[lo,hi]+[[rnd.randint(l,h) for l,h in zip(lo,hi)] for _ in range(20)]
    for p in pts:
        cs.append({"input":[s(v) for v in p],"output":[s(v) for v in evaluate(ir,p)]})
    return cs
out=os.path.join(os.path.dirname(os.path.abspath(__file__)), "")
# 1: classifier, dense -> argmax, with ties
lo=[-512,-512,0,-100]; hi=[512,512,1023,100]
W=[[3,-2,1,0],[-3,2,1,0],[0,0,1,5]]; b=[0,0,-7]
ir=build("classifier-3x4","classification",["low","medium","high"],["f0","f1","f2","f3"],8,4,lo,hi,W,b,argmax=True)
ties=[[0,0,0,0],[-1,0,0,2],[10,15,0,0],[0,0,7,0],[1,1,2,0]]
c1=cases(ir,lo,hi,ties)
# 2: regressor, dense -> rescale (negative floors)
lo2=[-1000,-1000,-1000]; hi2=[1000,1000,1000]
W2=[[1234,-567,89],[-4096,0,4095]]; b2=[2048,-2049]
ir2=build("regressor-2x3","regression",["price","volatility"],["a","b","c"],10,12,lo2,hi2,W2,b2,shift=12)
c2=cases(ir2,lo2,hi2,[[0,0,0],[-1,0,0],[0,0,-1],[1,1,1]])
# 3: dense -> rescale -> argmax
lo3=[-300,-300]; hi3=[300,300]
W3=[[5,5],[-5,5],[7,-3],[0,0]]; b3=[3,3,0,-2]
ir3=build("classifier-4x2-rescaled","classification",["a","b","c","d"],["u","v"],6,3,lo3,hi3,W3,b3,shift=3,argmax=True)
c3=cases(ir3,lo3,hi3,[[0,0],[-1,-1],[1,0],[0,1]])
for ir_,cs,lo_,hi_ in [(ir,c1,lo,hi),(ir2,c2,lo2,hi2),(ir3,c3,lo3,hi3)]:
    n=ir_["name"]
    with open(out+n+".ir.json","w") as f: json.dump(ir_,f,indent=2); f.write("\n")
    bad=[{"input":[s(v) for v in [hi_[0]+1]+hi_[1:]],"error":"input_out_of_range"},
         {"input":[s(v) for v in [lo_[0]-1]+lo_[1:]],"error":"input_out_of_range"},
         {"input":[s(v) for v in lo_[:-1]],"error":"wrong_input_count"}]
    with open(out+n+".cases.json","w") as f:
        json.dump({"ir":n+".ir.json","cases":cs,"invalid":bad},f,indent=2); f.write("\n")
print(c1[:4])
