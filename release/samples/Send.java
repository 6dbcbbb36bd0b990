import io.github.voicecode.Client;
import io.github.voicecode.VoiceCode;
import io.github.voicecode.VoiceCodeException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Install-test sample: sends a code with the jar, libvoicecode found by JNA's own lookup. */
public final class Send {
    public static void main(String[] args) throws Exception {
        try (Client client = new Client(Files.readString(Path.of(args[0])))) {
            String receipt = client.sendCode("{\"to\":\"+8613800138000\",\"code\":\"4821\"}");
            System.out.println("java " + VoiceCode.version() + ": accepted " + receipt);
            try {
                client.sendCode("{\"to\":\"+8613800138000\",\"code\":\"12\"}");
                throw new AssertionError("a two-digit ihuyi code was accepted");
            } catch (VoiceCodeException e) {
                if (!e.kind().equals("invalid_input")) throw e;
                System.out.println("java: refused before sending: " + e.kind());
            }
        }
    }
}
