"""Regenerates samples/call-001 (needs espeak-ng and sox): python3 samples/make-call-001.py"""
import subprocess, wave, struct, zlib, os, tempfile
lines = [
 ("customer","en-us+m3",165,"Hi, I'm calling about my internet bill. I was charged twice this month."),
 ("agent","en-gb+f3",160,"I'm sorry to hear that. Let me pull up your account."),
 ("customer","en-us+m3",185,"This is the third time I've called about this. It's ridiculous, and I'm really angry."),
 ("agent","en-gb+f3",160,"I understand why you're frustrated. I can see the duplicate charge here, and I'm reversing it now."),
 ("customer","en-us+m3",150,"Okay. I'm worried it will happen again next month, though."),
 ("agent","en-gb+f3",160,"I've added a note to your account, and you'll get an email confirming the refund today."),
 ("customer","en-us+m3",165,"Great, thank you. That's a relief."),
]
rate=16000
OUT=os.path.join(os.path.dirname(os.path.abspath(__file__)),"call-001")
os.makedirs(os.path.join(OUT,"frames"),exist_ok=True)
os.chdir(tempfile.mkdtemp())
gap=0.7
track=bytearray()
def silence(sec): return b"\x00\x00"*int(round(sec*rate))
track+=silence(0.5)
rows=[]
for i,(spk,voice,speed,text) in enumerate(lines):
    subprocess.run(["espeak-ng","-v",voice,"-s",str(speed),"-w",f"l{i}.wav",text],check=True)
    subprocess.run(["sox",f"l{i}.wav","-r","16000","-c","1","-b","16",f"l{i}_16k.wav"],check=True)
    w=wave.open(f"l{i}_16k.wav"); data=w.readframes(w.getnframes()); w.close()
    start=len(track)/2/rate
    track+=data
    end=len(track)/2/rate
    rows.append((start,end,spk,text))
    track+=silence(gap)
out=OUT
w=wave.open(out+"/audio.wav","wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate); w.writeframes(bytes(track)); w.close()
with open(out+"/transcript.tsv","w") as f:
    f.write("# start_s\tend_s\tspeaker\ttext (written for this sample; speech synthesised with espeak-ng)\n")
    for s,e,spk,t in rows: f.write(f"{s:.2f}\t{e:.2f}\t{spk}\t{t}\n")
total=len(track)/2/rate
print("duration",total)
# Frames: a synthetic view of an empty desk (no person), 160x120 RGB, one per second.
def png(width,height,pixels):
    raw=b"".join(b"\x00"+bytes(row) for row in pixels)
    def chunk(t,d): return struct.pack(">I",len(d))+t+d+struct.pack(">I",zlib.crc32(t+d)&0xffffffff)
    return b"\x89PNG\r\n\x1a\n"+chunk(b"IHDR",struct.pack(">IIBBBBB",width,height,8,2,0,0,0))+chunk(b"IDAT",zlib.compress(raw,9))+chunk(b"IEND",b"")
W,H=160,120
for k in range(int(total)+1):
    rows_px=[]
    for y in range(H):
        row=[]
        for x in range(W):
            if y>80:   # desk
                c=(120,84,50)
            elif 60<x<100 and 40<y<=80:  # monitor
                c=(30,30,35) if not (64<x<96 and 44<y<72) else (60+k%3*10,90,140)
            else:      # wall, light gradient
                g=200-y//3
                c=(g,g,g-10)
            row+=c
        rows_px.append(row)
    open(f"{out}/frames/{k*1000:06d}.png","wb").write(png(W,H,rows_px))
