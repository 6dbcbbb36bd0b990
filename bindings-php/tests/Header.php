<?php

declare(strict_types=1);

/*
 * The declarations of include/voicecode.h, read the way a C11 compiler sees them, for the
 * tests that hold the FFI::cdef texts to the header. The header is cbindgen's output, in a
 * regular shape, so a small reader does: it knows each preprocessor condition cbindgen writes
 * and refuses any other, so that a change of shape fails the tests instead of being misread.
 */

final class Header
{
    /**
     * What each condition is in C11 (not C23, not C++). The testing facility's condition counts
     * as true, so that its functions are read too, marked as such.
     */
    private const CONDITIONS = [
        '#ifndef VOICECODE_H' => true,
        '#ifdef __cplusplus' => false,
        '#ifndef __cplusplus' => true,
        '#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L' => false,
        '#if __STDC_VERSION__ >= 202311L' => false,
        self::SIMULATOR => true,
    ];
    private const SIMULATOR = '#if defined(VC_SIMULATOR)';

    /** @var array<string, array{prototype: string, simulator: bool}> functions by name */
    public array $functions = [];

    /** @var list<string> the typedefs, normalised */
    public array $typedefs = [];

    public function __construct(string $path)
    {
        $text = (string) file_get_contents($path);
        // Comments go, but their line breaks stay: directives are recognised by line.
        $text = (string) preg_replace_callback('~/\*.*?\*/~s', fn ($m) => str_repeat("\n", substr_count($m[0], "\n")), $text);
        $text = (string) preg_replace('~//[^\n]*~', '', $text);

        /** @var list<array{bool, bool}> $open the open conditions: [true in C11, the testing facility] */
        $open = [];
        $statement = '';
        $depth = 0;
        foreach (explode("\n", $text) as $index => $line) {
            $where = "$path:" . ($index + 1);
            $directive = trim($line);
            if (preg_match('/^#\s*(if|ifdef|ifndef)\b/', $directive) === 1) {
                if (!array_key_exists($directive, self::CONDITIONS)) {
                    throw new RuntimeException("$where: a condition this reader does not know: $directive");
                }
                $open[] = [self::CONDITIONS[$directive], $directive === self::SIMULATOR];
                continue;
            }
            if ($directive === '#else') {
                $open[count($open) - 1][0] = !$open[count($open) - 1][0];
                continue;
            }
            if ($directive === '#endif') {
                array_pop($open);
                continue;
            }
            if (str_starts_with($directive, '#')) {
                continue; // #define and #include declare no function or type
            }
            if (in_array(false, array_column($open, 0), true)) {
                continue;
            }
            $simulator = in_array(true, array_column($open, 1), true);
            foreach (str_split($line . "\n") as $char) {
                $statement .= $char;
                $depth += ['{' => 1, '}' => -1][$char] ?? 0;
                if ($char === ';' && $depth === 0) {
                    $this->add(self::normalise($statement), $simulator, $where);
                    $statement = '';
                }
            }
        }
        if (trim($statement) !== '' || $open !== []) {
            throw new RuntimeException("$path: ends inside a declaration or a condition");
        }
    }

    /** One comparable form of C declarations: single spaces, none around punctuation. */
    public static function normalise(string $c): string
    {
        $c = (string) preg_replace('~\s+~', ' ', trim($c));
        return (string) preg_replace('~\s*([(),;*{}=])\s*~', '$1', $c);
    }

    /**
     * Splits an FFI::cdef text into its declarations, normalised.
     *
     * @return list<string>
     */
    public static function declarations(string $cdef): array
    {
        $parts = array_filter(array_map('trim', explode(';', $cdef)), fn ($d) => $d !== '');
        return array_values(array_map(fn ($d) => self::normalise("$d;"), $parts));
    }

    /** The function a normalised declaration declares, or null for another declaration. */
    public static function functionName(string $declaration): ?string
    {
        return preg_match('/^[^(]*?\b(\w+)\(.*\);$/', $declaration, $m) === 1 && !str_starts_with($declaration, 'typedef')
            ? $m[1]
            : null;
    }

    private function add(string $declaration, bool $simulator, string $where): void
    {
        if (str_starts_with($declaration, 'typedef ')) {
            $this->typedefs[] = $declaration;
        } elseif (str_starts_with($declaration, 'enum ')) {
            // An enum's constants: the bindings use the numbers through the typedefs.
        } elseif (($name = self::functionName($declaration)) !== null) {
            if (isset($this->functions[$name])) {
                throw new RuntimeException("$where: $name is declared twice");
            }
            $this->functions[$name] = ['prototype' => $declaration, 'simulator' => $simulator];
        } else {
            throw new RuntimeException("$where: a declaration this reader does not know: $declaration");
        }
    }
}
