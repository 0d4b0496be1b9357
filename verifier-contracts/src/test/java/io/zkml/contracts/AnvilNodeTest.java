package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.DefaultBlockParameterName;

@EvmTest
class AnvilNodeTest {

    @Test
    void startsOnAFreeLoopbackPortWithAFundedDevAccountAndStopsOnClose() throws Exception {
        ContractsToolchain tc = ContractsToolchain.locate();
        ProcessHandle handle;
        try (AnvilNode node = AnvilNode.start(tc)) {
            assertThat(node.rpcUrl()).startsWith("http://127.0.0.1:");
            assertThat(node.port()).isPositive();
            assertThat(node.clientVersion()).contains("1.7.1");
            assertThat(tc.anvilPackageVersion()).isEqualTo("1.7.1");
            assertThat(node.chainId()).isEqualTo(31337L);
            BigInteger balance = node.web3j().ethGetBalance(node.devAccount(), DefaultBlockParameterName.LATEST)
                    .send().getBalance();
            assertThat(balance).isGreaterThan(BigInteger.TEN.pow(18));
            handle = ProcessHandle.of(node.pid()).orElseThrow();
            assertThat(handle.isAlive()).isTrue();
        }
        assertThat(handle.isAlive()).isFalse();
    }

    @Test
    void twoNodesRunSideBySide() {
        try (AnvilNode a = AnvilNode.start(); AnvilNode b = AnvilNode.start()) {
            assertThat(a.port()).isNotEqualTo(b.port());
            assertThat(Optional.of(b.isAlive())).contains(true);
        }
    }
}
