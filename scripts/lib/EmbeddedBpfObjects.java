import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the eBPF ELF objects embedded in executables (a libbpf skeleton keeps its object as a
 * byte array in .rodata) to OUT_DIR/NAME.bpf.o, NAME.N.bpf.o when one executable holds several.
 * An embedded object is found by its ELF identification (64-bit, little endian) and e_machine
 * EM_BPF; its length is where its section header table ends, which libbpf's linker writes last.
 *
 * <p>Run as a source file: {@code java scripts/lib/EmbeddedBpfObjects.java OUT_DIR EXECUTABLE...}
 */
public final class EmbeddedBpfObjects {
  private static final byte[] ELF64_LE = {0x7f, 'E', 'L', 'F', 2, 1};
  private static final short EM_BPF = 247;
  private static final int ELF64_HEADER_SIZE = 64;

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: java EmbeddedBpfObjects.java OUT_DIR EXECUTABLE...");
      System.exit(2);
    }
    Path out = Files.createDirectories(Path.of(args[0]));
    int written = 0;
    for (int a = 1; a < args.length; a++) {
      Path executable = Path.of(args[a]);
      ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(executable)).order(ByteOrder.LITTLE_ENDIAN);
      String name = executable.getFileName().toString();
      int found = 0;
      // Offset 0 is the executable's own header, never an embedded object.
      for (int at = indexOf(bytes, 1); at >= 0; at = indexOf(bytes, at + 1)) {
        if (at + ELF64_HEADER_SIZE > bytes.limit() || bytes.getShort(at + 18) != EM_BPF) {
          continue;
        }
        long sectionHeaders = bytes.getLong(at + 40);
        int entrySize = Short.toUnsignedInt(bytes.getShort(at + 58));
        int count = Short.toUnsignedInt(bytes.getShort(at + 60));
        long end = sectionHeaders + (long) entrySize * count;
        if (entrySize != 64 || count == 0 || end <= ELF64_HEADER_SIZE || at + end > bytes.limit()) {
          System.err.printf("%s: ELF header for EM_BPF at 0x%x has an impossible section table; skipped%n", executable, at);
          continue;
        }
        byte[] object = new byte[(int) end];
        bytes.get(at, object);
        String file = found == 0 ? name + ".bpf.o" : name + "." + found + ".bpf.o";
        Files.write(out.resolve(file), object);
        found++;
        written++;
        at += (int) end - 1;
      }
    }
    System.err.printf("EmbeddedBpfObjects: %d objects written to %s%n", written, out);
  }

  private static int indexOf(ByteBuffer bytes, int from) {
    outer:
    for (int i = from; i + ELF64_LE.length <= bytes.limit(); i++) {
      for (int j = 0; j < ELF64_LE.length; j++) {
        if (bytes.get(i + j) != ELF64_LE[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
